package drift_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/spec/drift"
)

// enumReport has the same new enum value in the responses of 12 operations, another value in
// one, and a non-enum change with the same text in two operations.
func enumReport() *drift.Report {
	r := &drift.Report{Base: drift.DocumentInfo{Source: "a.json"}, Revision: drift.DocumentInfo{Source: "b.json"}}
	for i := range 12 {
		r.Changes = append(r.Changes, drift.Change{Level: drift.Breaking, ID: "response-property-enum-value-added",
			Method: "GET", Path: fmt.Sprintf("/v1/things/%d", i), OperationID: fmt.Sprintf("thing%dGet", i),
			Text: "added the new `Degraded` enum value to the `result/state` response property for the response status `200`"})
	}
	r.Changes = append(r.Changes,
		drift.Change{Level: drift.Breaking, ID: "response-property-enum-value-added", Method: "GET", Path: "/v1/other", OperationID: "otherGet",
			Text: "added the new `Paused` enum value to the `result/state` response property for the response status `200`"},
		drift.Change{Level: drift.Info, ID: "response-property-removed", Method: "GET", Path: "/v1/a", OperationID: "aGet", Text: "removed the `x` response property"},
		drift.Change{Level: drift.Info, ID: "response-property-removed", Method: "GET", Path: "/v1/b", OperationID: "bGet", Text: "removed the `x` response property"},
	)
	r.Summary.Breaking, r.Summary.Info = 13, 2
	return r
}

func TestRender_SameEnumChangeInManyOperationsIsOneLine(t *testing.T) {
	r := enumReport()
	for _, format := range []drift.Format{drift.Text, drift.Markdown} {
		var out bytes.Buffer
		if err := drift.Render(&out, r, format, drift.RenderOptions{}); err != nil {
			t.Fatal(err)
		}
		s := out.String()
		if n := strings.Count(s, "`Degraded` enum value"); n != 1 {
			t.Errorf("%s: the Degraded change is listed %d times, want once:\n%s", format, n, s)
		}
		for _, want := range []string{"in 12 operations", "12 operations: thing0Get, thing1Get, thing2Get, thing3Get, and 8 more", "`Paused` enum value", "Breaking (13)"} {
			if !strings.Contains(s, want) {
				t.Errorf("%s report lacks %q:\n%s", format, want, s)
			}
		}
		if strings.Contains(s, "in 1 operations") || strings.Count(s, "removed the `x` response property") != 2 {
			t.Errorf("%s: only enum changes in several operations are folded:\n%s", format, s)
		}
	}
	var js bytes.Buffer
	if err := drift.Render(&js, r, drift.JSON, drift.RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	var decoded drift.Report
	if err := json.Unmarshal(js.Bytes(), &decoded); err != nil {
		t.Fatal(err)
	}
	if len(decoded.Changes) != len(r.Changes) {
		t.Errorf("JSON report has %d changes, want every one of the %d", len(decoded.Changes), len(r.Changes))
	}
}

func TestRender_DegradedIsFoldedIn0725To0731(t *testing.T) {
	r := compareHistory(t, "2026-07-25", "2026-07-31")
	var text bytes.Buffer
	if err := drift.Render(&text, r, drift.Text, drift.RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	// ClickPipe.state gains Degraded: result/state in five operations, result/items/state in the list.
	if n := strings.Count(text.String(), "`Degraded` enum value to the `result/state`"); n != 1 {
		t.Errorf("the Degraded change on result/state is listed %d times, want once", n)
	}
	if !strings.Contains(text.String(), "`result/state` response property for the response status `200` in 5 operations") {
		t.Errorf("text report does not count the operations:\n%s", text.String())
	}
}
