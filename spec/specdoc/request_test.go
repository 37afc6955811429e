package specdoc

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// schemasAt returns the schemas a path pattern reaches from s, through properties,
// additionalProperties, items and every form of allOf/oneOf/anyOf.
func schemasAt(s *openapi3.Schema, pattern []string, depth int) []*openapi3.Schema {
	if s == nil || depth > maxJudgeDepth {
		return nil
	}
	if len(pattern) == 0 {
		return []*openapi3.Schema{s}
	}
	var out []*openapi3.Schema
	for _, union := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, ref := range union {
			if ref != nil {
				out = append(out, schemasAt(ref.Value, pattern, depth+1)...)
			}
		}
	}
	seg, rest := pattern[0], pattern[1:]
	_, indexErr := strconv.Atoi(seg)
	if (seg == "[*]" || seg == "*" || indexErr == nil) && s.Items != nil {
		out = append(out, schemasAt(s.Items.Value, rest, depth+1)...)
	}
	if seg != "[*]" {
		for name, ref := range s.Properties {
			if (seg == "*" || seg == name) && ref != nil {
				out = append(out, schemasAt(ref.Value, rest, depth+1)...)
			}
		}
		if ap := s.AdditionalProperties.Schema; ap != nil {
			out = append(out, schemasAt(ap.Value, rest, depth+1)...)
		}
	}
	return out
}

func TestRequestDeviationsNameOperationsAndPaths(t *testing.T) {
	list, err := RequestDeviations()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 {
		t.Fatal("no request deviations")
	}
	bodies, err := requestBodies()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range list {
		rb, ok := bodies[d.Operation]
		if !ok {
			t.Errorf("%s %s: the document has no operation %s", d.Operation, d.Path, d.Operation)
			continue
		}
		if rb.schema == nil {
			t.Errorf("%s %s: the operation takes no request body", d.Operation, d.Path)
			continue
		}
		if len(schemasAt(rb.schema, d.Pattern(), 0)) == 0 {
			t.Errorf("%s: the request body declares no %s", d.Operation, d.Path)
		}
	}
}

const (
	serviceBody = `{"name":"svc","provider":"aws","region":"us-east-1"%s}`
	kafkaBody   = `{"name":"pipe","source":{"kafka":{"type":"msk","format":"JSONEachRow","brokers":"b-1:9098","topics":"t",
		"authentication":"IAM_ROLE","iamRole":"arn:aws:iam::123456789012:role/R"%s}},
		"destination":{"database":"default","table":"t","managedTable":true}}`
)

// acceptedCases holds, for every entry of request-deviations.yaml, a body the entry must accept
// (and the document refuses) and near misses that must stay refused.
var acceptedCases = map[string]struct {
	accepted   string
	nearMisses []string
}{
	"instanceCreate $.ipAccessList": {
		accepted: strings.Replace(serviceBody, "%s", `,"ipAccessList":null`, 1),
		nearMisses: []string{
			strings.Replace(serviceBody, "%s", `,"ipAccessList":5`, 1),
			strings.Replace(serviceBody, "%s", `,"ipAccessList":[null]`, 1),
			strings.Replace(serviceBody, "%s", `,"ipAccessList":null,"region":null`, 1),
		},
	},
	"postgresInstanceConfigPost $.pgConfig": {
		accepted: `{"pgConfig":{},"pgBouncerConfig":{"default_pool_size":"16"}}`,
		nearMisses: []string{
			`{"pgConfig":{"max_connections":true},"pgBouncerConfig":{"default_pool_size":"16"}}`,
			`{"pgConfig":{"no_such_parameter":1},"pgBouncerConfig":{"default_pool_size":"16"}}`,
			`{"pgConfig":null,"pgBouncerConfig":{"default_pool_size":"16"}}`,
			`{"pgConfig":[],"pgBouncerConfig":{"default_pool_size":"16"}}`,
		},
	},
	"postgresInstanceConfigPost $.pgBouncerConfig": {
		accepted:   `{"pgConfig":{"max_connections":100},"pgBouncerConfig":{}}`,
		nearMisses: []string{`{"pgConfig":{"max_connections":100},"pgBouncerConfig":{"default_pool_size":16}}`},
	},
	"postgresInstanceConfigPatch $.pgConfig": {
		accepted:   `{"pgConfig":{},"pgBouncerConfig":{}}`,
		nearMisses: []string{`{"pgConfig":{"max_connections":"x","work_mem":true},"pgBouncerConfig":{}}`},
	},
	"postgresInstanceConfigPatch $.pgBouncerConfig": {
		accepted:   `{"pgConfig":{},"pgBouncerConfig":{}}`,
		nearMisses: []string{`{"pgConfig":{},"pgBouncerConfig":{"pool_mode":false}}`},
	},
	"clickPipeCreate $.source.kafka.credentials": {
		accepted: strings.Replace(kafkaBody, "%s", `,"credentials":null`, 1),
		nearMisses: []string{
			// The four credential forms are open objects without a type (see RelaxedOneOfs), so
			// only a value that fits none of them is refused: every field of the wrong type.
			strings.Replace(kafkaBody, "%s", `,"credentials":{"username":1,"accessKeyId":1,"connectionString":1,"certificate":1}`, 1),
			// The entry accepts a null credentials, not a null anywhere near it.
			strings.Replace(kafkaBody, "%s", `,"credentials":null,"brokers":null`, 1),
		},
	},
}

func TestRequestDeviationsAreAcceptedAndNearMissesRefused(t *testing.T) {
	list, err := RequestDeviations()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range list {
		key := d.Operation + " " + d.Path
		c, ok := acceptedCases[key]
		if !ok {
			t.Errorf("no test case for the request deviation %s: add one to acceptedCases", key)
			continue
		}
		v, err := CheckRequestBody(d.Operation, []byte(c.accepted))
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if !v.OK() {
			t.Errorf("%s: refused %s: %q", key, c.accepted, Describe(v.Problems))
		}
		if !slices.ContainsFunc(v.Accepted, func(a AcceptedProblem) bool { return a.Deviation == d }) {
			t.Errorf("%s: the entry accepted nothing in %s (accepted: %v); does the document still forbid it?", key, c.accepted, v.Accepted)
		}
		for _, miss := range c.nearMisses {
			v, err := CheckRequestBody(d.Operation, []byte(miss))
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			if v.OK() {
				t.Errorf("%s: the near miss %s was accepted", key, miss)
			}
		}
	}
}

func TestCheckRequestBodyNamesTheBrokenRule(t *testing.T) {
	v, err := CheckRequestBody("postgresServiceSetPassword", []byte(`{"password":"abcdefghijklmnop"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := Describe(v.Problems); len(got) != 1 || got[0] != `field "/password": needs an upper-case letter and a digit` {
		t.Fatalf("got %q", got)
	}
	v, err = CheckRequestBody("backupBucketCreate", []byte(`{"bucketProvider":"GCP","bucketPath":"gs://b","accessKeyId":1}`))
	if err != nil {
		t.Fatal(err)
	}
	got := Describe(v.Problems)
	if len(got) != 1 || !strings.Contains(got[0], `"/accessKeyId": declared string, got number`) ||
		!strings.Contains(got[0], `GcpBackupBucketPostRequestV1, chosen at / by bucketProvider "GCP"`) || strings.Contains(got[0], "Aws") {
		t.Fatalf("got %q", got)
	}
}

func TestCheckRequestBodyBadInput(t *testing.T) {
	for _, c := range []struct {
		op, body string
		want     error
	}{
		{"noSuchOperation", `{}`, ErrUnknownOperation},
		{"instanceGet", `{}`, ErrNoRequestBody},
		{"instanceCreate", `{"name":`, ErrBodyNotJSON},
		{"instanceCreate", `{} {}`, ErrBodyNotJSON},
	} {
		_, err := CheckRequestBody(c.op, []byte(c.body))
		if !errors.Is(err, c.want) {
			t.Errorf("%s %s: error %v, want %v", c.op, c.body, err, c.want)
		}
	}
	// No body where none is required is fine; the document requires none of its bodies.
	if v, err := CheckRequestBody("instanceCreate", []byte("  \n")); err != nil || !v.OK() {
		t.Errorf("empty body: %v %v", v, err)
	}
}

func TestRequestPathPatterns(t *testing.T) {
	for _, c := range []struct {
		pattern string
		pointer []string
		want    bool
	}{
		{"$.a.b", []string{"a", "b"}, true},
		{"$.a.b", []string{"a"}, false},
		{"$.a[*].b", []string{"a", "3", "b"}, true},
		{"$.a[*].b", []string{"a", "x", "b"}, false},
		{"$.a.*", []string{"a", "x"}, true},
		{"$.a.*", []string{"a", "0"}, true},
		{"$.a[2]", []string{"a", "2"}, true},
		{"$['odd key'].c", []string{"odd key", "c"}, true},
		{"$", nil, true},
	} {
		p, err := parsePathPattern(c.pattern)
		if err != nil {
			t.Fatalf("%s: %v", c.pattern, err)
		}
		if got := matchPath(p, c.pointer); got != c.want {
			t.Errorf("%s matches %v = %v, want %v", c.pattern, c.pointer, got, c.want)
		}
	}
	for _, bad := range []string{"a.b", "$.a[", "$..a", "$.a[x]"} {
		if _, err := parsePathPattern(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestParseRequestDeviationsRefusesMistakes(t *testing.T) {
	entry := "deviations:\n  - operation: instanceCreate\n    path: $.ipAccessList\n    reason: r\n    reference: https://example.com/x\n"
	for name, raw := range map[string]string{
		"bare null":     entry + "    accepts: null\n",
		"unknown field": entry + "    accepts: \"null\"\n    keyword: type\n",
		"no reference":  strings.Replace(entry, "https://example.com/x", "", 1) + "    accepts: \"null\"\n",
	} {
		if _, err := parseRequestDeviations([]byte(raw)); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
	if _, err := parseRequestDeviations([]byte(entry + "    accepts: empty-object\n")); err != nil {
		t.Errorf("a good entry: %v", err)
	}
}
