package drift_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chcloud-dev/chcloud/spec"
	"github.com/chcloud-dev/chcloud/spec/drift"
)

const history = "../../testdata/spec-history"

func historyFile(date string) string {
	return filepath.Join(history, "clickhouse-cloud-"+date+".json")
}

// Loading a 1 MB document takes a few hundred milliseconds: each is loaded once per test binary.
var loaded sync.Map // source -> func() (*drift.Document, error)

func load(t testing.TB, source string) *drift.Document {
	t.Helper()
	once, _ := loaded.LoadOrStore(source, sync.OnceValues(func() (*drift.Document, error) {
		if source == "vendored" {
			return drift.Parse(spec.Document(), "spec/openapi.json")
		}
		return drift.Load(context.Background(), source, nil)
	}))
	doc, err := once.(func() (*drift.Document, error))()
	if err != nil {
		t.Fatalf("loading %s: %v", source, err)
	}
	return doc
}

// reports caches comparisons of the published history, which several tests read.
var reports sync.Map

func compareHistory(t *testing.T, from, to string) *drift.Report {
	t.Helper()
	once, _ := reports.LoadOrStore(from+">"+to, sync.OnceValues(func() (*drift.Report, error) {
		return drift.Compare(context.Background(), load(t, historyFile(from)), load(t, historyFile(to)))
	}))
	r, err := once.(func() (*drift.Report, error))()
	if err != nil {
		t.Fatalf("comparing %s with %s: %v", from, to, err)
	}
	return r
}

func operationIDs(ops []drift.OperationRef) []string {
	var ids []string
	for _, o := range ops {
		ids = append(ids, o.ID)
	}
	slices.Sort(ids)
	return ids
}

func hasChange(r *drift.Report, id, operationID, textContains string) bool {
	for _, c := range r.Changes {
		if c.ID == id && c.OperationID == operationID && strings.Contains(c.Text, textContains) {
			return true
		}
	}
	return false
}

func TestCompare_0725To0731_UDFAddedClickStackConnectionsRemovedDegraded(t *testing.T) {
	r := compareHistory(t, "2026-07-25", "2026-07-31")

	wantAdded := []string{
		"udfAttach", "udfAttachmentGet", "udfAttachmentList", "udfCreate", "udfDelete", "udfDetach",
		"udfGet", "udfList", "udfUploadSessionCreate", "udfVersionCreate", "udfVersionDelete", "udfVersionList",
	}
	if got := operationIDs(r.Summary.OperationsAdded); !slices.Equal(got, wantAdded) {
		t.Errorf("operations added = %v (%d), want the 12 UDF operations %v", got, len(got), wantAdded)
	}
	wantRemoved := []string{
		"clickStackCreateConnection", "clickStackDeleteConnection", "clickStackGetConnection",
		"clickStackListConnections", "clickStackUpdateConnection",
	}
	if got := operationIDs(r.Summary.OperationsRemoved); !slices.Equal(got, wantRemoved) {
		t.Errorf("operations removed = %v, want the 5 ClickStack connection operations %v", got, wantRemoved)
	}
	if r.Base.Operations-len(wantRemoved)+len(wantAdded) != r.Revision.Operations {
		t.Errorf("operation counts %d -> %d do not add up with +%d -%d", r.Base.Operations, r.Revision.Operations, len(wantAdded), len(wantRemoved))
	}
	degraded := drift.EnumValue{Schema: "ClickPipe", Field: "state", Value: "Degraded"}
	if !slices.Contains(r.Summary.EnumValuesAdded, degraded) {
		t.Errorf("enum values added = %v, want %v", r.Summary.EnumValuesAdded, degraded)
	}
	if !hasChange(r, "response-property-enum-value-added", "clickPipeGet", "`Degraded`") {
		t.Error("changelog lacks the Degraded enum value on clickPipeGet")
	}
	for _, id := range wantRemoved {
		found := false
		for _, c := range r.Changes {
			if c.OperationID == id && c.Level == drift.Breaking && strings.HasPrefix(c.ID, "api-path-removed") {
				found = true
			}
		}
		if !found {
			t.Errorf("changelog does not list the removal of %s as breaking", id)
		}
	}
	if !slices.Contains(r.Summary.SchemasRemoved, "ClickStackConnection") || !slices.Contains(r.Summary.SchemasAdded, "Udf") {
		t.Errorf("schemas: added %v, removed %v; want Udf added and ClickStackConnection removed", r.Summary.SchemasAdded, r.Summary.SchemasRemoved)
	}
	if r.Summary.Breaking != r.Count(drift.Breaking) || r.Summary.Info != r.Count(drift.Info) {
		t.Errorf("summary counts %d/%d disagree with the changelog %d/%d", r.Summary.Breaking, r.Summary.Info, r.Count(drift.Breaking), r.Count(drift.Info))
	}
}

func TestCompare_0716To0725(t *testing.T) {
	r := compareHistory(t, "2026-07-16", "2026-07-25")
	if r.Base.Operations != 110 || r.Revision.Operations != 135 {
		t.Errorf("operations %d -> %d, want 110 -> 135", r.Base.Operations, r.Revision.Operations)
	}
	if len(r.Summary.OperationsAdded) != 25 || len(r.Summary.OperationsRemoved) != 0 {
		t.Errorf("operations added %d, removed %d; want 25 and 0", len(r.Summary.OperationsAdded), len(r.Summary.OperationsRemoved))
	}
	if !slices.Contains(operationIDs(r.Summary.OperationsAdded), "organizationQuotasGetList") {
		t.Errorf("operations added %v lack organizationQuotasGetList", operationIDs(r.Summary.OperationsAdded))
	}
	// Read from the documents: ClickStackAlertResponse gains numConsecutiveWindows, Activity.type
	// gains organization_saml_connection_create, and defaultTableSelectExpression of
	// ClickStackTraceSource goes from ["string", "null"] to "string".
	if f := (drift.FieldRef{Schema: "ClickStackAlertResponse", Field: "numConsecutiveWindows"}); !slices.Contains(r.Summary.FieldsAdded, f) {
		t.Errorf("fields added lack %v", f)
	}
	if e := (drift.EnumValue{Schema: "Activity", Field: "type", Value: "organization_saml_connection_create"}); !slices.Contains(r.Summary.EnumValuesAdded, e) {
		t.Errorf("enum values added lack %v", e)
	}
	wantType := drift.TypeChange{Schema: "ClickStackTraceSource", Field: "defaultTableSelectExpression", From: "string|null", To: "string"}
	if !slices.Contains(r.Summary.TypeChanges, wantType) {
		t.Errorf("type changes %v lack %v", r.Summary.TypeChanges, wantType)
	}
}

func TestCompare_0625To0716(t *testing.T) {
	r := compareHistory(t, "2026-06-25", "2026-07-16")
	if r.Base.Operations != 109 || r.Revision.Operations != 110 {
		t.Errorf("operations %d -> %d, want 109 -> 110", r.Base.Operations, r.Revision.Operations)
	}
	if got := operationIDs(r.Summary.OperationsAdded); !slices.Equal(got, []string{"clickPipeSchemaDiscovery"}) || len(r.Summary.OperationsRemoved) != 0 {
		t.Errorf("operations added %v, removed %v; want [clickPipeSchemaDiscovery] and none", got, r.Summary.OperationsRemoved)
	}
	// Read from the documents: replicaMemoryGb leaves the replica scaling request, autoscalingMode
	// joins it, numReplicas becomes an integer and ca-central-1 becomes a region.
	removed := drift.FieldRef{Schema: "ServiceReplicaScalingPatchRequest", Field: "replicaMemoryGb"}
	if !slices.Equal(r.Summary.FieldsRemoved, []drift.FieldRef{removed}) {
		t.Errorf("fields removed = %v, want exactly %v", r.Summary.FieldsRemoved, removed)
	}
	if !hasChange(r, "request-property-removed", "instanceReplicaScalingUpdate", "replicaMemoryGb") {
		t.Error("changelog lacks the removal of replicaMemoryGb from instanceReplicaScalingUpdate")
	}
	if f := (drift.FieldRef{Schema: "ServiceReplicaScalingPatchRequest", Field: "autoscalingMode"}); !slices.Contains(r.Summary.FieldsAdded, f) {
		t.Errorf("fields added lack %v", f)
	}
	if tc := (drift.TypeChange{Schema: "ServiceReplicaScalingPatchRequest", Field: "numReplicas", From: "number", To: "integer"}); !slices.Contains(r.Summary.TypeChanges, tc) {
		t.Errorf("type changes %v lack %v", r.Summary.TypeChanges, tc)
	}
	if e := (drift.EnumValue{Schema: "Service", Field: "region", Value: "ca-central-1"}); !slices.Contains(r.Summary.EnumValuesAdded, e) {
		t.Errorf("enum values added lack %v", e)
	}
	if r.Count(drift.Warning) == 0 {
		t.Error("removing a request property should be at least a warning")
	}
}

func TestCompare_SelfIsUnchanged(t *testing.T) {
	doc := load(t, historyFile("2026-07-31"))
	r, err := drift.Compare(context.Background(), doc, doc)
	if err != nil {
		t.Fatal(err)
	}
	assertUnchanged(t, r)
}

// reformat re-encodes a document with sorted keys and a different indentation, and swaps the
// referrer token: everything that must not count as a change.
func reformat(t testing.TB, raw []byte) []byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	contact := v["info"].(map[string]any)["contact"].(map[string]any)
	before := contact["url"].(string)
	contact["url"] = strings.Split(before, "?referrer=")[0] + "?referrer=openapi-42"
	if contact["url"] == before {
		t.Fatalf("the document has no referrer token to change: %s", before)
	}
	out, err := json.MarshalIndent(v, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(out, raw) {
		t.Fatal("reformatting left the document byte for byte the same")
	}
	return out
}

func TestCompare_ReformattedCopyWithOtherReferrerIsUnchanged(t *testing.T) {
	doc := load(t, historyFile("2026-07-31"))
	copyDoc, err := drift.Parse(reformat(t, doc.Raw), "copy.json")
	if err != nil {
		t.Fatal(err)
	}
	if copyDoc.SHA256 == doc.SHA256 {
		t.Fatal("the copy should differ in bytes")
	}
	r, err := drift.Compare(context.Background(), doc, copyDoc)
	if err != nil {
		t.Fatal(err)
	}
	assertUnchanged(t, r)
}

func assertUnchanged(t *testing.T, r *drift.Report) {
	t.Helper()
	if !r.Unchanged || len(r.Changes) != 0 || !r.Summary.Empty() {
		t.Errorf("want no change, got unchanged=%v, %d changes (%v), summary %+v", r.Unchanged, len(r.Changes), firstChanges(r, 3), r.Summary)
	}
	var text bytes.Buffer
	if err := drift.Render(&text, r, drift.Text, drift.RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "No changes") {
		t.Errorf("text report does not say there is no change:\n%s", text.String())
	}
}

func firstChanges(r *drift.Report, n int) []string {
	var out []string
	for _, c := range r.Changes[:min(n, len(r.Changes))] {
		out = append(out, c.ID+": "+c.Text)
	}
	return out
}

// colonVersion writes a document's {organizationId} path parameters as /:organizationId, the
// way ClickHouse published its document in 2023.
func colonVersion(raw []byte) []byte {
	return bytes.ReplaceAll(raw, []byte("/{organizationId}"), []byte("/:organizationId"))
}

func TestCompare_ColonPathsAreComparedAndReported(t *testing.T) {
	base := load(t, historyFile("2026-06-25"))
	colon, err := drift.Parse(colonVersion(base.Raw), "colon.json")
	if err != nil {
		t.Fatalf("a document with /:param paths must still load for diff: %v", err)
	}
	if len(colon.ColonPaths) == 0 || !strings.Contains(colon.ColonPaths[0], "/:organizationId") {
		t.Fatalf("ColonPaths = %v, want the /:organizationId paths", colon.ColonPaths)
	}
	r, err := drift.Compare(context.Background(), base, colon)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Summary.OperationsAdded)+len(r.Summary.OperationsRemoved) != 0 {
		t.Errorf("/:param paths should match their {param} form: %d added, %d removed",
			len(r.Summary.OperationsAdded), len(r.Summary.OperationsRemoved))
	}
	if len(r.Revision.ColonPaths) != len(colon.ColonPaths) {
		t.Errorf("report lists %d colon paths, want %d", len(r.Revision.ColonPaths), len(colon.ColonPaths))
	}
	for _, format := range []drift.Format{drift.Text, drift.Markdown} {
		var out bytes.Buffer
		if err := drift.Render(&out, r, format, drift.RenderOptions{}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), colon.ColonPaths[0]) || !strings.Contains(out.String(), "code generator cannot use") {
			t.Errorf("%s report does not name the /:param paths", format)
		}
	}
	if err := colon.Validate(context.Background()); err == nil || !strings.Contains(err.Error(), "/:organizationId") {
		t.Errorf("Validate of a /:param document = %v, want a refusal naming the paths", err)
	}
}

func TestRender_Formats(t *testing.T) {
	r := compareHistory(t, "2026-07-25", "2026-07-31")

	var text bytes.Buffer
	if err := drift.Render(&text, r, drift.Text, drift.RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`operations added\s+12\n`, `operations removed\s+5\n`, `ClickPipe\.state: Degraded`, `Changelog: Breaking \(\d+\)`, `\[endpoint-added\]`} {
		if !regexp.MustCompile(want).MatchString(text.String()) {
			t.Errorf("text report lacks %s", want)
		}
	}

	var md bytes.Buffer
	if err := drift.Render(&md, r, drift.Markdown, drift.RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## OpenAPI drift", "| Operations added | 12 |", "| Operations removed | 5 |", "`ClickPipe.state: Degraded`"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown report lacks %q", want)
		}
	}

	var js bytes.Buffer
	if err := drift.Render(&js, r, drift.JSON, drift.RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	var decoded drift.Report
	if err := json.Unmarshal(js.Bytes(), &decoded); err != nil {
		t.Fatalf("JSON report does not decode: %v", err)
	}
	if len(decoded.Summary.OperationsAdded) != 12 || len(decoded.Changes) != len(r.Changes) || decoded.Changes[0].Level != drift.Breaking {
		t.Errorf("JSON report lost information: %d added, %d changes, first level %v", len(decoded.Summary.OperationsAdded), len(decoded.Changes), decoded.Changes[0].Level)
	}
	if !strings.Contains(js.String(), `"level": "breaking"`) {
		t.Error(`JSON levels should be names like "breaking"`)
	}
}

func TestRender_MarkdownFitsAGitHubIssue(t *testing.T) {
	// Between 2026-07-31 and the vendored document there are about 900 changelog entries; this
	// report has more, and long ones.
	r := &drift.Report{Base: drift.DocumentInfo{Source: "a.json"}, Revision: drift.DocumentInfo{Source: "b.json"}}
	for i := range 3000 {
		level := []drift.Level{drift.Breaking, drift.Warning, drift.Info}[i%3]
		r.Changes = append(r.Changes, drift.Change{Level: level, ID: "response-property-enum-value-added", Method: "GET",
			Path: fmt.Sprintf("/v1/organizations/{organizationId}/things/%d", i), Text: fmt.Sprintf("added the new enum value `%d` ", i) + strings.Repeat("added the new enum value ", 4)})
		r.Summary.EnumValuesAdded = append(r.Summary.EnumValuesAdded, drift.EnumValue{Schema: "Thing", Field: "state", Value: fmt.Sprint(i)})
	}
	var full, capped bytes.Buffer
	if err := drift.Render(&full, r, drift.Markdown, drift.RenderOptions{MarkdownLimit: -1}); err != nil {
		t.Fatal(err)
	}
	if err := drift.Render(&capped, r, drift.Markdown, drift.RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	if full.Len() <= drift.DefaultMarkdownLimit {
		t.Fatalf("the uncapped report is only %d bytes; the test needs one above the limit", full.Len())
	}
	if capped.Len() > drift.DefaultMarkdownLimit || !strings.Contains(capped.String(), "more lines were left out") {
		t.Errorf("capped report is %d bytes (limit %d) or does not say it was cut", capped.Len(), drift.DefaultMarkdownLimit)
	}
	if strings.Count(capped.String(), "<details") != strings.Count(capped.String(), "</details>") {
		t.Error("cutting the report left a <details> block open")
	}
	for _, heading := range []string{"| Enum values added | 3000 |", "<b>Breaking (1000)</b>", "<b>Info (1000)</b>"} {
		if !strings.Contains(capped.String(), heading) {
			t.Errorf("capped report lost %q", heading)
		}
	}
}

func TestParseLevelAndFormat(t *testing.T) {
	for _, name := range []string{"breaking", "warning", "info", "never"} {
		l, err := drift.ParseLevel(name)
		if err != nil || l.String() != name {
			t.Errorf("ParseLevel(%q) = %v, %v", name, l, err)
		}
	}
	if _, err := drift.ParseLevel("error"); err == nil {
		t.Error("ParseLevel accepted an unknown level")
	}
	if _, err := drift.ParseFormat("yaml"); err == nil {
		t.Error("ParseFormat accepted an unknown format")
	}
}

func BenchmarkDiff_0731VsVendored(b *testing.B) {
	base, err := os.ReadFile(historyFile("2026-07-31"))
	if err != nil {
		b.Fatal(err)
	}
	revision := spec.Document()
	b.ReportAllocs()
	for b.Loop() {
		bd, err := drift.Parse(base, "base")
		if err != nil {
			b.Fatal(err)
		}
		rd, err := drift.Parse(revision, "revision")
		if err != nil {
			b.Fatal(err)
		}
		r, err := drift.Compare(context.Background(), bd, rd)
		if err != nil {
			b.Fatal(err)
		}
		if err := drift.Render(&bytes.Buffer{}, r, drift.Markdown, drift.RenderOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(base)+len(revision))/2/1e6, "MB/doc")
}
