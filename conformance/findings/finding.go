// Package findings compares one HTTP answer of the ClickHouse Cloud API with what the published
// OpenAPI document (package spec, never the overlay) says about that operation, and reports each
// difference as a Finding: an operation, a status, a JSON path, a kind and a detail.
//
// It is the engine of the conformance suite (conformance/): the suite makes the calls, this package
// judges the answers, known-deviations.yaml marks the differences we already know about, and
// report.go turns a run into drift.json, drift.md and a printed summary. It has no Ginkgo in it so
// that it can be unit-tested and reused (for example by a CLI command) on its own.
package findings

import (
	"fmt"
	"slices"
	"strings"
)

// Kind is the category of a finding. Known deviations match on it, and the summary counts by it.
type Kind string

// The kinds of findings. Schema violations are split by JSON Schema keyword so that a known
// deviation can say precisely what it tolerates (a null is not an unknown enum value).
const (
	UndeclaredStatus      Kind = "undeclared-status"       // the document declares no response for this status
	UndeclaredContentType Kind = "undeclared-content-type" // the status is declared, but not with this media type
	TypeMismatch          Kind = "type-mismatch"           // e.g. a number where a string is declared
	FormatMismatch        Kind = "format-mismatch"         // e.g. a string that is not a uuid or date-time
	UnknownEnumValue      Kind = "unknown-enum-value"      // a value outside the declared enum
	MissingRequired       Kind = "missing-required"        // a required property is absent
	NullValue             Kind = "null-value"              // null in a field that is not nullable
	SchemaViolation       Kind = "schema-violation"        // any other keyword (minLength, oneOf, ...)
	UndeclaredField       Kind = "undeclared-field"        // a property the schema does not declare (strict mode)
	EnvelopeAnomaly       Kind = "envelope-anomaly"        // requestId or status missing or wrong in the envelope
	DecodeFailure         Kind = "decode-failure"          // the SDK cannot decode the answer

	// The error contract (negative scenarios) and the headers of ordinary answers.
	UnexpectedStatus      Kind = "unexpected-status"       // a negative call got a status its scenario does not call for (200 for an unknown id, 404 for a bad key...)
	ConstraintNotEnforced Kind = "constraint-not-enforced" // the service accepted a body that breaks a declared constraint
	ErrorCodeMismatch     Kind = "error-code-mismatch"     // an error envelope without "CODE: message", or a CODE that is not its status's
	SDKMisclassification  Kind = "sdk-misclassification"   // package cloud classifies an error answer otherwise than the document promises (IsNotFound vs IsRouteNotFound, retries)
	RateLimitHeaders      Kind = "rate-limit-headers"      // X-RateLimit-Limit, -Remaining, -Reset or -Policy missing or in a new format
)

// Kinds lists every kind, in the order reports show them.
var Kinds = []Kind{
	UndeclaredStatus, UndeclaredContentType, TypeMismatch, FormatMismatch, UnknownEnumValue,
	MissingRequired, NullValue, SchemaViolation, UndeclaredField, EnvelopeAnomaly, DecodeFailure,
	UnexpectedStatus, ConstraintNotEnforced, ErrorCodeMismatch, SDKMisclassification, RateLimitHeaders,
}

// Finding is one difference between an answer and the published document.
type Finding struct {
	OperationID string `json:"operationId"`
	Status      int    `json:"status"`
	// Path is a JSONPath into the body ("$.result.endpoints[0].port"); "$" for the body as a
	// whole, "" when the finding is about the status line or headers.
	Path   string `json:"path"`
	Kind   Kind   `json:"kind"`
	Detail string `json:"detail"`
	// Form names the union form the value was judged against when the document offers several
	// ("form ClickStackMetricSource (chosen by kind \"metric\")"), so a verdict says what it
	// compared with.
	Form string `json:"form,omitempty"`
	// Scenario names the negative scenario whose call this answers (ScenarioUnknownID...), ""
	// for the happy path.
	Scenario string `json:"scenario,omitempty"`
	// Known is set when a known deviation explains the finding; such findings do not fail a run.
	Known *Deviation `json:"known,omitempty"`
}

func (f Finding) String() string {
	s := fmt.Sprintf("%s %d %s", f.OperationID, f.Status, f.Kind)
	if f.Scenario != "" {
		s = fmt.Sprintf("%s [%s] %d %s", f.OperationID, f.Scenario, f.Status, f.Kind)
	}
	if f.Path != "" {
		s += " " + f.Path
	}
	s += ": " + f.Detail
	if f.Form != "" {
		s += " [" + f.Form + "]"
	}
	if f.Known != nil {
		s += " (known: " + f.Known.Reason + ")"
	}
	return s
}

// Sort orders findings by operation, status, path and kind, so reports are stable.
func Sort(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if c := strings.Compare(a.OperationID, b.OperationID); c != 0 {
			return c
		}
		if a.Status != b.Status {
			return a.Status - b.Status
		}
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(string(a.Kind), string(b.Kind))
	})
}

// New returns the findings that no known deviation explains.
func New(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Known == nil {
			out = append(out, f)
		}
	}
	return out
}
