package drift_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/chcloud-dev/chcloud/spec/drift"
)

// Two small versions of a document, with one of each change the summary lists.
const summaryBase = `{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1.0"},
  "paths": {
    "/v1/things": {
      "get": {"operationId": "thingList", "x-badges": [{"name": "Beta"}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}},
      "post": {"operationId": "thingCreate",
        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
        "responses": {"200": {"description": "ok"}}}
    },
    "/v1/gone": {"delete": {"operationId": "goneDelete", "responses": {"204": {"description": "gone"}}}}
  },
  "components": {"schemas": {
    "Thing": {"type": "object", "properties": {
      "name": {"type": "string"},
      "size": {"type": "number"},
      "legacy": {"type": "string"},
      "state": {"$ref": "#/components/schemas/State"},
      "kind": {"type": "string", "enum": ["a", "b"]}
    }},
    "State": {"type": "string", "enum": ["Running", "Stopped", "Unknown"]},
    "Old": {"type": "object"}
  }}
}`

const summaryRevision = `{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1.0"},
  "paths": {
    "/v1/things": {
      "get": {"operationId": "thingList",
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}},
      "post": {"operationId": "thingCreate", "deprecated": true,
        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
        "responses": {"200": {"description": "ok"}}}
    },
    "/v1/new": {"get": {"operationId": "newGet", "responses": {"200": {"description": "ok"}}}}
  },
  "components": {"schemas": {
    "Thing": {"type": "object", "properties": {
      "name": {"type": "string"},
      "size": {"type": "integer"},
      "color": {"type": "string"},
      "state": {"$ref": "#/components/schemas/State"},
      "kind": {"type": "string"}
    }},
    "State": {"type": "string", "enum": ["Running", "Stopped", "Degraded"]},
    "New": {"type": "object"}
  }}
}`

func TestSummary_EachKindOfChange(t *testing.T) {
	base, err := drift.Parse([]byte(summaryBase), "base.json")
	if err != nil {
		t.Fatal(err)
	}
	revision, err := drift.Parse([]byte(summaryRevision), "revision.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := drift.Compare(context.Background(), base, revision)
	if err != nil {
		t.Fatal(err)
	}
	s := r.Summary
	check := func(name string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("operations added", s.OperationsAdded, []drift.OperationRef{{Method: "GET", Path: "/v1/new", ID: "newGet"}})
	check("operations removed", s.OperationsRemoved, []drift.OperationRef{{Method: "DELETE", Path: "/v1/gone", ID: "goneDelete"}})
	check("operations deprecated", s.OperationsDeprecated, []drift.OperationRef{{Method: "POST", Path: "/v1/things", ID: "thingCreate"}})
	check("beta graduated", s.BetaGraduated, []drift.OperationRef{{Method: "GET", Path: "/v1/things", ID: "thingList"}})
	check("schemas added", s.SchemasAdded, []string{"New"})
	check("schemas removed", s.SchemasRemoved, []string{"Old"})
	check("fields added", s.FieldsAdded, []drift.FieldRef{{Schema: "Thing", Field: "color"}})
	check("fields removed", s.FieldsRemoved, []drift.FieldRef{{Schema: "Thing", Field: "legacy"}})
	check("type changes", s.TypeChanges, []drift.TypeChange{{Schema: "Thing", Field: "size", From: "number", To: "integer"}})
	// State's values are listed under State only, not again under Thing.state.
	check("enum values added", s.EnumValuesAdded, []drift.EnumValue{{Schema: "State", Value: "Degraded"}})
	check("enum values removed", s.EnumValuesRemoved, []drift.EnumValue{
		{Schema: "State", Value: "Unknown"},
		{Schema: "Thing", Field: "kind", Value: drift.EnumConstraint},
	})
	if r.Count(drift.Breaking) == 0 {
		t.Error("removing an operation should be breaking")
	}
}
