package drift_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/spec/drift"
)

const (
	caCertificates = "/v1/organizations/{organizationId}/postgres/{postgresId}/caCertificates"
	caOldPath      = "/v1/organizations/{organizationId}/postgres/{postgresId}/ca-certificates"
)

// TestCompare_RenamedPathIsOneMovedOperation replays April 2026: the vendored document's
// caCertificates path, written as it was before (ca-certificates), is the base.
func TestCompare_RenamedPathIsOneMovedOperation(t *testing.T) {
	doc := load(t, "vendored")
	var op drift.OperationRef
	for _, o := range doc.Operations {
		if o.Path == caCertificates {
			op = drift.OperationRef{Method: o.Method, Path: o.Path, ID: o.ID}
		}
	}
	if op.ID == "" {
		t.Fatalf("the vendored document has no operation at %s", caCertificates)
	}
	oldRaw := bytes.ReplaceAll(doc.Raw, []byte(`"`+caCertificates+`"`), []byte(`"`+caOldPath+`"`))
	old, err := drift.Parse(oldRaw, "before-rename.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := drift.Compare(context.Background(), old, doc)
	if err != nil {
		t.Fatal(err)
	}
	want := []drift.OperationMove{{Method: op.Method, From: caOldPath, To: caCertificates, ID: op.ID}}
	if !slices.Equal(r.Summary.OperationsMoved, want) {
		t.Errorf("operations moved = %v, want %v", r.Summary.OperationsMoved, want)
	}
	if len(r.Summary.OperationsAdded)+len(r.Summary.OperationsRemoved) != 0 {
		t.Errorf("a moved operation is also listed as added %v or removed %v", r.Summary.OperationsAdded, r.Summary.OperationsRemoved)
	}
	if len(r.Changes) != 1 || r.Changes[0].ID != drift.MovedID || r.Changes[0].Level != drift.Warning ||
		!strings.Contains(r.Changes[0].Text, caOldPath) || !strings.Contains(r.Changes[0].Text, caCertificates) {
		t.Errorf("changelog = %v, want one %s warning naming both paths", firstChanges(r, 5), drift.MovedID)
	}
	var text bytes.Buffer
	if err := drift.Render(&text, r, drift.Text, drift.RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), want[0].String()) || strings.Contains(text.String(), "Operations removed (") {
		t.Errorf("text report does not show the move as one line:\n%s", text.String())
	}

}

// TestCompare_MovedOperationIsComparedWithItself: a change inside a moved operation is reported
// against the operation at its new path, once.
func TestCompare_MovedOperationIsComparedWithItself(t *testing.T) {
	revision := strings.Replace(summaryBase, `"/v1/gone": {"delete": {"operationId": "goneDelete",`,
		`"/v1/gone/now": {"delete": {"operationId": "goneDelete", "parameters": [{"name": "force", "in": "query", "required": true, "schema": {"type": "boolean"}}],`, 1)
	if revision == summaryBase {
		t.Fatal("no rename")
	}
	r, err := drift.Compare(context.Background(), mustParse(t, []byte(summaryBase), "base.json"), mustParse(t, []byte(revision), "revision.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := []drift.OperationMove{{Method: "DELETE", From: "/v1/gone", To: "/v1/gone/now", ID: "goneDelete"}}
	if !slices.Equal(r.Summary.OperationsMoved, want) || len(r.Summary.OperationsRemoved) != 0 || len(r.Summary.OperationsAdded) != 0 {
		t.Errorf("moved %v, added %v, removed %v; want only %v moved", r.Summary.OperationsMoved, r.Summary.OperationsAdded, r.Summary.OperationsRemoved, want)
	}
	var ids []string
	for _, c := range r.Changes {
		ids = append(ids, c.ID)
		if c.Level == drift.Breaking && c.Path != "/v1/gone/now" {
			t.Errorf("breaking change outside the moved operation: %s %s", c.Subject(), c.Text)
		}
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{drift.MovedID, "new-required-request-parameter"}) {
		t.Errorf("changelog ids = %v, want the move and the new required parameter", ids)
	}
}

func mustParse(t *testing.T, raw []byte, source string) *drift.Document {
	t.Helper()
	doc, err := drift.Parse(raw, source)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}
