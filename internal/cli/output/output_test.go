package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

var services = json.RawMessage(`[
 {"id": "a1", "name": "web", "state": "running", "currentScaling": {"minReplicas": 2}, "tags": [{"key": "env", "value": "prod"}], "big": 12345678901234567},
 {"id": "b2", "name": "etl", "state": "stopped", "currentScaling": {"minReplicas": 1}, "tags": []}
]`)

var table = Table{Columns: []Column{{Header: "ID", Path: "id"}, {Header: "NAME", Path: "name"}, {Header: "MIN", Path: "currentScaling.minReplicas"}, {Header: "TAGS", Path: "tags"}}}

func TestFormatFollowsTheTerminal(t *testing.T) {
	var tty, pipe bytes.Buffer
	if err := Print(&tty, Options{}, true, services, table); err != nil {
		t.Fatal(err)
	}
	if err := Print(&pipe, Options{}, false, services, table); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(tty.String()), "\n")
	if len(lines) != 3 || strings.Fields(lines[0])[0] != "ID" || strings.Fields(lines[1])[2] != "2" {
		t.Errorf("terminal table:\n%s", tty.String())
	}
	if !strings.Contains(lines[1], `[{"key":"env","value":"prod"}]`) || strings.Fields(lines[2])[3] != "-" {
		t.Errorf("objects in cells should be compact JSON and empty lists '-':\n%s", tty.String())
	}
	var back []map[string]any
	if err := json.Unmarshal(pipe.Bytes(), &back); err != nil {
		t.Fatalf("piped output is not JSON: %v", err)
	}
	if back[0]["currentScaling"] == nil || !strings.Contains(pipe.String(), "12345678901234567") {
		t.Errorf("JSON must keep every field and exact integers:\n%s", pipe.String())
	}
}

func TestExplicitFormatsAndJQ(t *testing.T) {
	var y bytes.Buffer
	if err := Print(&y, Options{Format: "yaml"}, true, services, table); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(y.String(), "  id: a1") || !strings.Contains(y.String(), "minReplicas: 2") {
		t.Errorf("yaml:\n%s", y.String())
	}
	var j bytes.Buffer
	if err := Print(&j, Options{JQ: `.[] | select(.state == "running") | .name, .currentScaling`}, true, services, table); err != nil {
		t.Fatal(err)
	}
	if j.String() != "web\n{\"minReplicas\":2}\n" {
		t.Errorf("jq printed %q", j.String())
	}
	var obj bytes.Buffer
	if err := Print(&obj, Options{Format: "table"}, false, json.RawMessage(`{"id": "a1", "name": "web", "extra": true, "nested": {"a": 1}}`), table); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(obj.String(), "ID:") || !strings.Contains(obj.String(), "EXTRA:") || strings.Contains(obj.String(), "nested") {
		t.Errorf("an object as a table lists the columns, then the other fields:\n%s", obj.String())
	}
}

func TestValidate(t *testing.T) {
	for _, o := range []Options{{Format: "xml"}, {JQ: ".[["}, {Format: "yaml", JQ: "."}} {
		if o.Validate() == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	if err := (Options{Format: "json", JQ: ".x"}).Validate(); err != nil {
		t.Errorf("json with jq: %v", err)
	}
}

func TestJQErrorsAreReported(t *testing.T) {
	var b bytes.Buffer
	if err := RunJQ(&b, `error("boom")`, map[string]any{}); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("jq error: %v", err)
	}
}

func TestLabelsAreUpperCaseWords(t *testing.T) {
	for in, want := range map[string]string{
		"clickhouseVersion":  "CLICKHOUSE VERSION",
		"minReplicaMemoryGb": "MIN REPLICA MEMORY GB",
		"ipAccessList":       "IP ACCESS LIST",
		"byocId":             "BYOC ID",
		"id":                 "ID",
		"dataWarehouseId":    "DATA WAREHOUSE ID",
		"IAMRole":            "IAM ROLE",
		"created_at":         "CREATED AT",
	} {
		if got := Label(in); got != want {
			t.Errorf("Label(%q) = %q, want %q", in, got, want)
		}
	}
}

// A result shown alone lists its sections as indented tables under upper-case headers, and an
// empty section says what its emptiness means.
func TestSectionsOfOneObject(t *testing.T) {
	tbl := Table{
		Columns: []Column{{Header: "ID", Path: "id"}},
		Sections: []Section{
			{Header: "ENDPOINTS", Path: "endpoints", Columns: []Column{{Header: "PROTOCOL", Path: "protocol"}, {Header: "HOST", Path: "host"}, {Header: "PORT", Path: "port"}}},
			{Header: "IP ACCESS LIST", Path: "ipAccessList", Empty: "none", Columns: []Column{{Header: "SOURCE", Path: "source"}}},
		},
	}
	var b bytes.Buffer
	doc := json.RawMessage(`{"id": "a1", "clickhouseVersion": "25.8", "endpoints": [{"protocol": "nativesecure", "host": "h.example", "port": 9440}], "ipAccessList": []}`)
	if err := Print(&b, Options{Format: "table"}, false, doc, tbl); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"ID:", "CLICKHOUSE VERSION:", "ENDPOINTS:\n  PROTOCOL", "  nativesecure  h.example  9440", "IP ACCESS LIST:  none"} {
		if !strings.Contains(out, want) {
			t.Errorf("one-object view lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	if err := Print(&b, Options{Format: "table"}, false, json.RawMessage(`[`+string(doc)+`]`), tbl); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "ENDPOINTS") {
		t.Errorf("a list shows no sections:\n%s", b.String())
	}
}

func TestColumnsNotation(t *testing.T) {
	upper := func(v any) string { return strings.ToUpper(Scalar(v)) }
	got := Columns("ID:id", "SIZE (BYTES):sizeInBytes", "MIN:currentScaling.minReplicas", "ROLE:").Format("ROLE", upper)
	want := []Column{{Header: "ID", Path: "id"}, {Header: "SIZE (BYTES)", Path: "sizeInBytes"},
		{Header: "MIN", Path: "currentScaling.minReplicas"}, {Header: "ROLE"}}
	if len(got) != len(want) {
		t.Fatalf("Columns gave %d columns, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Header != want[i].Header || got[i].Path != want[i].Path || (got[i].Format != nil) != (i == 3) {
			t.Errorf("column %d = {%q %q format:%v}, want {%q %q format:%v}", i, got[i].Header, got[i].Path, got[i].Format != nil,
				want[i].Header, want[i].Path, i == 3)
		}
	}
	if s := got[3].Format("admin"); s != "ADMIN" {
		t.Errorf("Format was not set on ROLE: %q", s)
	}
}

// A malformed column is a programming error: printing its table must panic, saying which column.
func TestColumnsNotationPanicsOnMalformed(t *testing.T) {
	for _, bad := range []func(){
		func() { Columns("ID") },
		func() { Columns(":id") },
		func() { Columns(" ID:id") },
		func() { Columns("ID:some path") },
		func() { Columns("ID:id").Format("NAME", Scalar) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "output.") {
					t.Errorf("want a panic naming output.Columns or Format, got %v", r)
				}
			}()
			bad()
		}()
	}
}
