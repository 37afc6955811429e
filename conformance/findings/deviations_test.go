package findings

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestKnownDeviationsFileLoads(t *testing.T) {
	d, err := LoadDeviations(filepath.Join("..", "known-deviations.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Entries()) == 0 {
		t.Fatal("known-deviations.yaml has no entries")
	}
}

func TestDeviationsMarkAndStale(t *testing.T) {
	d, err := ParseDeviations([]byte(`
deviations:
  - operation: all
    kind: undeclared-status
    status: 429
    reason: rate limit
    reference: https://example.org/429
    liveOnly: test entry
  - operation: clickPipeGet
    kind: null-value
    path: "**.reversePrivateEndpointIds"
    reason: null ids
    reference: https://example.org/null
    liveOnly: test entry
  - operation: serviceClickhouseSettingsListGet
    kind: type-mismatch
    path: $.result.settings[*].value
    reason: numbers
    reference: https://example.org/numbers
    liveOnly: test entry
  - operation: instanceGet
    kind: undeclared-field
    path: $.result.*
    reason: never matched
    reference: https://example.org/stale
    liveOnly: test entry
`))
	if err != nil {
		t.Fatal(err)
	}
	fs := d.Mark([]Finding{
		{OperationID: "instanceDelete", Status: 429, Kind: UndeclaredStatus},
		{OperationID: "instanceDelete", Status: 401, Kind: UndeclaredStatus},
		{OperationID: "clickPipeGet", Status: 200, Kind: NullValue, Path: "$.result.source.kafka.reversePrivateEndpointIds"},
		{OperationID: "clickPipeGetList", Status: 200, Kind: NullValue, Path: "$.result[0].source.kafka.reversePrivateEndpointIds"},
		{OperationID: "serviceClickhouseSettingsListGet", Status: 200, Kind: TypeMismatch, Path: "$.result.settings[12].value"},
		{OperationID: "serviceClickhouseSettingsListGet", Status: 200, Kind: TypeMismatch, Path: "$.result.settings[12].name"},
	})
	wantKnown := []bool{true, false, true, false, true, false}
	for i, f := range fs {
		if (f.Known != nil) != wantKnown[i] {
			t.Errorf("finding %d (%s): known = %v, want %v", i, f, f.Known != nil, wantKnown[i])
		}
	}
	if got := len(New(fs)); got != 3 {
		t.Errorf("New() kept %d findings, want 3", got)
	}
	stale := d.Stale(true)
	if len(stale) != 1 || stale[0].Reason != "never matched" {
		t.Errorf("stale = %+v, want only the instanceGet entry", stale)
	}
}

func TestParseDeviationsRejectsIncompleteEntries(t *testing.T) {
	cases := map[string]string{
		"unknown kind":      "deviations:\n  - {operation: all, kind: odd, reason: r, reference: u}\n",
		"unknown operation": "deviations:\n  - {operation: nope, kind: null-value, reason: r, reference: u}\n",
		"no reason":         "deviations:\n  - {operation: all, kind: null-value, reference: u}\n",
		"no reference":      "deviations:\n  - {operation: all, kind: null-value, reason: r}\n",
		"unknown field":     "deviations:\n  - {operation: all, kind: null-value, reason: r, reference: u, why: x}\n",
	}
	for name, doc := range cases {
		if _, err := ParseDeviations([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "\n\n") {
			t.Errorf("%s: odd error %q", name, err)
		}
	}
}
