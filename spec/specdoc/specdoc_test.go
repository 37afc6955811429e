package specdoc

import (
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/chcloud-dev/chcloud/spec"
)

func TestOpenAPILoadsAndValidates(t *testing.T) {
	doc, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	ops, err := spec.Operations()
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]bool{}
	for _, op := range ops {
		paths[op.Path] = true
		item := doc.Paths.Find(op.Path)
		if item == nil || item.GetOperation(op.Method) == nil {
			t.Errorf("kin-openapi does not see %s %s (%s)", op.Method, op.Path, op.ID)
		}
	}
	if doc.Paths.Len() != len(paths) {
		t.Errorf("kin-openapi sees %d paths, the inventory %d", doc.Paths.Len(), len(paths))
	}
}

func TestOpenAPIIsLoadedOnce(t *testing.T) {
	a, errA := OpenAPI()
	b, errB := OpenAPI()
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if a != b {
		t.Error("OpenAPI loaded the document twice")
	}
}

// The ClickPipe Kafka credentials (PLAIN, MskIamUser, AzureEventHub, MutualTLS) are a oneOf of
// open objects with no shared property: every real credentials object fits all four. They are
// read as anyOf; the backup bucket alternatives, told apart by bucketProvider, stay a oneOf.
func TestOverlappingOneOfIsReadAsAnyOf(t *testing.T) {
	relaxed, err := RelaxedOneOfs()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"#/components/schemas/ClickPipePatchKafkaSource/properties/credentials",
		"#/components/schemas/ClickPipePostKafkaSource/properties/credentials",
	}
	if !slices.Equal(relaxed, want) {
		t.Errorf("relaxed oneOfs = %q, want %q", relaxed, want)
	}
	doc, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	kafka := doc.Components.Schemas["ClickPipePostKafkaSource"].Value
	for _, creds := range []map[string]any{
		{"username": "u", "password": "p"},
		{"accessKeyId": "AKIA", "secretKey": "s"},
		{"connectionString": "Endpoint=sb://x/"},
	} {
		if err := kafka.Properties["credentials"].Value.VisitJSON(creds); err != nil {
			t.Errorf("credentials %v refused: %v", creds, err)
		}
	}
	for _, bad := range []any{map[string]any{"username": 5, "accessKeyId": 5, "connectionString": 5, "certificate": 5}} {
		if err := kafka.Properties["credentials"].Value.VisitJSON(bad); err == nil {
			t.Errorf("credentials %v, which fit no alternative, accepted", bad)
		}
	}
	bucket := doc.Components.Schemas["BackupBucketPostRequest"].Value
	if len(bucket.OneOf) == 0 || len(bucket.AnyOf) != 0 {
		t.Errorf("BackupBucketPostRequest was relaxed: oneOf %d, anyOf %d", len(bucket.OneOf), len(bucket.AnyOf))
	}
	if err := bucket.VisitJSON(map[string]any{"bucketProvider": "AWS", "bucketPath": "s3://b", "iamRoleArn": "arn:aws:iam::1:role/r"}); err != nil {
		t.Errorf("an AWS bucket is refused: %v", err)
	}
}

func TestIndistinguishable(t *testing.T) {
	obj := func(props ...string) *openapi3.SchemaRef {
		s := openapi3.NewObjectSchema()
		for _, p := range props {
			s.WithProperty(p, openapi3.NewStringSchema())
		}
		return s.NewRef()
	}
	required := obj("a")
	required.Value.Required = []string{"a"}
	closed := obj("b")
	closed.Value.WithoutAdditionalProperties()
	for name, tc := range map[string]struct {
		alternatives openapi3.SchemaRefs
		want         bool
	}{
		"disjoint open objects":    {openapi3.SchemaRefs{obj("a"), obj("b", "c")}, true},
		"a shared property":        {openapi3.SchemaRefs{obj("a", "kind"), obj("b", "kind")}, false},
		"a required property":      {openapi3.SchemaRefs{required, obj("b")}, false},
		"a closed object":          {openapi3.SchemaRefs{obj("a"), closed}, false},
		"a string alternative":     {openapi3.SchemaRefs{obj("a"), openapi3.NewStringSchema().NewRef()}, false},
		"an object with no fields": {openapi3.SchemaRefs{obj("a"), obj()}, false},
	} {
		if got := indistinguishable(tc.alternatives); got != tc.want {
			t.Errorf("%s: indistinguishable = %v, want %v", name, got, tc.want)
		}
	}
}

func TestConciseReason(t *testing.T) {
	for in, want := range map[string]string{
		"jsonschema validation failed with 'https://example.com/schema.json#'\n- at '': 'x' is not valid uuid: bad": "'x' is not valid uuid: bad",
		"value must be a string":                             "value must be a string",
		"  number must be at most 20\n":                      "number must be at most 20",
		"minLength: got 0, want 1: minLength: got 0, want 1": "minLength: got 0, want 1: minLength: got 0, want 1",
		"same: same": "same",
	} {
		if got := ConciseReason(in); got != want {
			t.Errorf("ConciseReason(%q) = %q, want %q", in, got, want)
		}
	}
}
