package conformance

import (
	_ "embed"
	"fmt"
	"net/http"
	"sync"

	"github.com/chcloud-dev/chcloud/cloud/redact"
	"github.com/chcloud-dev/chcloud/conformance/findings"
	"github.com/chcloud-dev/chcloud/spec"
	"github.com/chcloud-dev/chcloud/spec/specdoc"
)

// knownDeviations is known-deviations.yaml as committed, so that a verdict given outside a run
// (`chcloud spec check-response`) marks the same differences as known as the suite does.
//
//go:embed known-deviations.yaml
var knownDeviations []byte

// KnownDeviations returns the committed known deviations (known-deviations.yaml).
func KnownDeviations() (*findings.Deviations, error) {
	return findings.ParseDeviations(knownDeviations)
}

// NewChecker returns the checker the suite judges answers with: the published document, the
// SDK's decoders, and scrubbing's placeholder read as "not the server's value".
func NewChecker() (*findings.Checker, error) {
	doc, err := specdoc.OpenAPI()
	if err != nil {
		return nil, err
	}
	decoders, err := SDKDecoders()
	if err != nil {
		return nil, err
	}
	return findings.NewChecker(doc, findings.WithRedactionMarkers(redact.Placeholder), findings.WithDecoders(decoders))
}

var verdictEngine = sync.OnceValues(func() (*Verdicts, error) {
	checker, err := NewChecker()
	if err != nil {
		return nil, err
	}
	devs, err := KnownDeviations()
	if err != nil {
		return nil, err
	}
	return &Verdicts{checker: checker, deviations: devs}, nil
})

// Verdicts judges single exchanges exactly as a run of the suite would: same checker, same known
// deviations. It is what `chcloud spec check-response` prints.
type Verdicts struct {
	checker    *findings.Checker
	deviations *findings.Deviations
}

// DefaultVerdicts returns the suite's engine, built once.
func DefaultVerdicts() (*Verdicts, error) { return verdictEngine() }

// Response returns the findings for one answer to operationID, known deviations marked. The
// error is only for an operation the document does not have.
func (v *Verdicts) Response(operationID string, status int, header http.Header, body []byte) ([]findings.Finding, error) {
	op, ok := spec.Lookup(operationID)
	if !ok {
		return nil, fmt.Errorf("the document has no operation %q (see `chcloud api --list`)", operationID)
	}
	if header == nil {
		header = http.Header{}
	}
	return v.deviations.Mark(v.checker.Check(op, findings.Response{Status: status, Header: header, Body: body})), nil
}
