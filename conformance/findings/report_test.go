package findings

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sampleReport(t *testing.T) *Report {
	t.Helper()
	known := &Deviation{Operation: "all", Kind: UndeclaredStatus, Status: 429, Reason: "rate limit", Reference: "https://example.org"}
	r := &Report{SpecSHA256: "abc", Mode: "replay", FullRun: true}
	r.Operations = []OperationResult{
		NewResult(lookup(t, "organizationGetList"), []int{200}, nil, "", nil),
		NewResult(lookup(t, "organizationGet"), []int{200}, []Finding{{OperationID: "organizationGet", Status: 200, Path: "$.result.tier", Kind: UndeclaredField, Detail: "x | y"}}, "", nil),
		NewResult(lookup(t, "instanceDelete"), []int{429}, []Finding{{OperationID: "instanceDelete", Status: 429, Kind: UndeclaredStatus, Detail: "d", Known: known}}, "", nil),
		NewResult(lookup(t, "udfCreate"), nil, nil, "needs an uploaded artifact", nil),
		NewResult(lookup(t, "udfGet"), nil, nil, "", errors.New("cassette missing")),
	}
	r.Stale = []Deviation{{Operation: "instanceGet", Kind: NullValue, Reason: "gone"}}
	r.Summarize()
	return r
}

func TestReportSummaryCounts(t *testing.T) {
	r := sampleReport(t)
	s := r.Summary
	if s.Operations != 5 || s.Passed != 1 || s.NewFindings != 1 || s.Known != 1 || s.Skipped != 1 || s.Errors != 1 {
		t.Fatalf("summary = %+v", s)
	}
	if s.ByKind[UndeclaredField] != (KindCount{New: 1}) || s.ByKind[UndeclaredStatus] != (KindCount{Known: 1}) {
		t.Errorf("by kind = %+v", s.ByKind)
	}
	if !r.Failed() {
		t.Error("a run with new findings and errors did not fail")
	}
	var out bytes.Buffer
	if err := r.WriteSummary(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1 passed, 1 with new findings, 1 known deviations only, 1 skipped, 1 errors", "NEW organizationGet 200 undeclared-field $.result.tier", "ERROR udfGet: cassette missing", "stale"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
}

func TestReportFiles(t *testing.T) {
	r := sampleReport(t)
	dir := t.TempDir()
	if err := r.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "drift.json"))
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Operations) != 5 || back.Operations[3].SkipReason != "needs an uploaded artifact" || back.Operations[2].Findings[0].Known == nil {
		t.Errorf("drift.json did not round-trip: %+v", back.Operations)
	}
	md, err := os.ReadFile(filepath.Join(dir, "drift.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, line := range strings.Split(string(md), "\n") {
		if strings.HasPrefix(line, "| `") {
			rows++
		}
	}
	if rows != 5 {
		t.Errorf("drift.md has %d operation rows, want 5:\n%s", rows, md)
	}
	if !strings.Contains(string(md), `x \| y`) || !strings.Contains(string(md), "skipped: needs an uploaded artifact") || !strings.Contains(string(md), "Stale known deviations") {
		t.Errorf("drift.md is missing escaped details, skip reasons or stale entries:\n%s", md)
	}
}

func TestMarkdownListsDocumentNotesOnlyWhenThereAreSome(t *testing.T) {
	r := &Report{Mode: "replay", Operations: []OperationResult{{OperationID: "x", Outcome: Passed}}}
	r.Summarize()
	var b bytes.Buffer
	if err := r.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "Document notes") {
		t.Errorf("a section for no notes:\n%s", b.String())
	}
	r.RelaxedOneOfs = []string{"#/components/schemas/A/properties/credentials"}
	b.Reset()
	if err := r.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "## Document notes") || !strings.Contains(b.String(), "- `#/components/schemas/A/properties/credentials`") {
		t.Errorf("the relaxed oneOf is not listed:\n%s", b.String())
	}
}
