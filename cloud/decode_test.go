package cloud

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/gen/cloudapi"
	"github.com/chcloud-dev/chcloud/spec"
)

// exampleBuilder makes a response body for a schema of the published document, in one of the
// ways the real service departs from it.
type exampleBuilder struct {
	schemas map[string]any
	variant string // "plain", "numbers", "nulls", "enums", "extra", "missing", "wrongkinds"
}

func (b exampleBuilder) build(schema map[string]any, depth int) any {
	if ref, ok := schema["$ref"].(string); ok {
		target, _ := b.schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
		return b.build(target, depth)
	}
	if depth > 7 || schema == nil {
		return nil
	}
	if all, ok := schema["allOf"].([]any); ok {
		merged := map[string]any{}
		for _, s := range all {
			if obj, ok := b.build(s.(map[string]any), depth).(map[string]any); ok {
				for k, v := range obj {
					merged[k] = v
				}
			}
		}
		return merged
	}
	for _, key := range []string{"oneOf", "anyOf"} {
		if branches, ok := schema[key].([]any); ok && len(branches) > 0 {
			return b.build(branches[0].(map[string]any), depth)
		}
	}
	typ := firstType(schema["type"])
	if typ == "" {
		if _, ok := schema["properties"]; ok {
			typ = "object"
		}
	}
	leafNull := b.variant == "nulls" && depth > 1
	if b.variant == "wrongkinds" && depth > 1 {
		// Each kind of value the generated types cannot take, in place of the declared one.
		format, _ := schema["format"].(string)
		switch {
		case typ == "string" && format == "date-time":
			return "last tuesday"
		case typ == "string" && format == "date":
			return "someday"
		case typ == "string":
			return map[string]any{"not": "a string"}
		case typ == "integer":
			return 2.5
		case typ == "number":
			return "many"
		case typ == "boolean":
			return "yes"
		case typ == "array":
			return map[string]any{"not": "a list"}
		case typ == "object" && depth > 2:
			return []any{"not an object"}
		}
	}
	switch typ {
	case "object":
		if leafNull {
			return nil
		}
		obj := map[string]any{}
		if b.variant == "missing" && depth > 1 {
			return obj
		}
		props, _ := schema["properties"].(map[string]any)
		for name, p := range props {
			obj[name] = b.build(p.(map[string]any), depth+1)
		}
		ap, isMap := schema["additionalProperties"].(map[string]any)
		if isMap {
			obj["someKey"] = b.build(ap, depth+1)
		}
		if b.variant == "extra" && !isMap { // in a map, any key is declared
			obj["undeclaredField"] = map[string]any{"nested": []any{1, "x", nil}}
		}
		return obj
	case "array":
		if leafNull {
			return nil
		}
		items, _ := schema["items"].(map[string]any)
		return []any{b.build(items, depth+1)}
	case "string":
		format, _ := schema["format"].(string)
		enum, _ := schema["enum"].([]any)
		switch {
		case leafNull:
			return nil
		case format == "date-time":
			return "2026-01-02T03:04:05Z"
		case format == "date":
			return "2026-01-02"
		case format == "email":
			// A plausible address, although the generated type (string) accepts any text.
			return "someone@example.com"
		case b.variant == "numbers" && (format == "" || format == "uuid"):
			return 12345
		case b.variant == "enums" && len(enum) > 0:
			return "value_the_document_does_not_list"
		case len(enum) > 0:
			return enum[0]
		}
		return "x"
	case "integer", "number":
		if leafNull {
			return nil
		}
		return 1
	case "boolean":
		if leafNull {
			return nil
		}
		return true
	}
	return "x"
}

func firstType(t any) string {
	switch t := t.(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if s, _ := x.(string); s != "null" {
				return s
			}
		}
	}
	return ""
}

// successSchema returns the first 2xx status of an operation with a JSON schema.
func successSchema(op map[string]any) (int, map[string]any) {
	responses, _ := op["responses"].(map[string]any)
	codes := make([]string, 0, len(responses))
	for code := range responses {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		status, err := strconv.Atoi(code)
		if err != nil || status < 200 || status > 299 {
			continue
		}
		content, _ := responses[code].(map[string]any)["content"].(map[string]any)
		for ct, media := range content {
			if strings.Contains(ct, "json") {
				if s, ok := media.(map[string]any)["schema"].(map[string]any); ok {
					return status, s
				}
			}
		}
	}
	return 0, nil
}

// TestEveryOperationDecodesTolerantly calls every typed method of the generated client against a
// server that answers, for whatever operation it is asked, an example built from that
// operation's declared success schema and doctored the way the real service departs from the
// document: numbers where strings are declared, nulls everywhere, enum values the document does
// not list, undeclared fields, missing fields, and values of the wrong kind (dates that do not
// parse, strings for numbers, objects for lists...). Every answer must decode into the typed field.
func TestEveryOperationDecodesTolerantly(t *testing.T) {
	var doc struct {
		Paths      map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(spec.Document(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, variant := range []string{"plain", "numbers", "nulls", "enums", "extra", "missing", "wrongkinds"} {
		t.Run(variant, func(t *testing.T) {
			b := exampleBuilder{schemas: doc.Components.Schemas, variant: variant}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				route := loadRoutes().lookup(r.Method, r.URL.Path)
				if route == nil {
					http.NotFound(w, r)
					return
				}
				op, _ := doc.Paths[route.path][strings.ToLower(route.method)].(map[string]any)
				status, schema := successSchema(op)
				if schema == nil {
					w.WriteHeader(http.StatusNoContent)
					return
				}
				body, _ := json.Marshal(b.build(schema, 0))
				writeJSON(w, status, string(body))
			}))
			defer srv.Close()
			c := newTestClient(t, srv, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
			decoded, declared := callEveryOperation(t, c.ClientWithResponses, true)
			t.Logf("%s: %d of %d operations with a JSON success decoded", variant, decoded, declared)
			if declared < 100 || decoded != declared {
				t.Errorf("%d of %d operations with a JSON success decoded", decoded, declared)
			}
			if variant == "numbers" {
				// Without the tolerant transport most of the same answers do not decode.
				bare, err := cloudapi.NewClientWithResponses(srv.URL)
				if err != nil {
					t.Fatal(err)
				}
				bareDecoded, _ := callEveryOperation(t, bare, false)
				t.Logf("numbers without the tolerant transport: %d of %d decoded", bareDecoded, declared)
				if bareDecoded > declared/2 {
					t.Errorf("the bare client decoded %d of %d doctored answers: the variant does not exercise tolerance", bareDecoded, declared)
				}
			}
		})
	}
}

// callEveryOperation calls each <Op>WithResponse method (not the WithBody variants) with
// placeholder arguments and counts the answers whose typed 2xx field was filled.
func callEveryOperation(t *testing.T, c *cloudapi.ClientWithResponses, report bool) (decoded, declared int) {
	t.Helper()
	v := reflect.ValueOf(c)
	ctx := reflect.ValueOf(context.Background())
	for i := range v.NumMethod() {
		m := v.Type().Method(i)
		if !strings.HasSuffix(m.Name, "WithResponse") || strings.Contains(m.Name, "WithBody") {
			continue
		}
		mt := m.Type
		args := []reflect.Value{ctx}
		for j := 2; j < mt.NumIn(); j++ { // 0 is the receiver, 1 the context
			in := mt.In(j)
			if mt.IsVariadic() && j == mt.NumIn()-1 {
				break
			}
			if in.Kind() == reflect.String {
				args = append(args, reflect.ValueOf("p"+strconv.Itoa(j)).Convert(in))
			} else {
				args = append(args, reflect.Zero(in))
			}
		}
		out := v.Method(i).Call(args)
		if errv := out[1]; !errv.IsNil() {
			err := errv.Interface().(error)
			if strings.Contains(err.Error(), "MarshalJSON") {
				continue // a zero-valued request union cannot be sent: not a decoding question
			}
			declared++
			if report {
				t.Errorf("%s: %v", m.Name, err)
			}
			continue
		}
		resp := out[0].Elem()
		httpResp := resp.FieldByName("HTTPResponse").Interface().(*http.Response)
		field := resp.FieldByName("JSON" + strconv.Itoa(httpResp.StatusCode))
		if !field.IsValid() {
			continue // no typed JSON answer declared for this status
		}
		declared++
		if field.IsNil() {
			t.Errorf("%s: status %d answer not decoded: %s", m.Name, httpResp.StatusCode, resp.FieldByName("Body").Bytes())
			continue
		}
		decoded++
	}
	return decoded, declared
}

// TestNumbersForStringsNeedTheTolerantTransport shows what the tolerant transport is for: the
// same doctored answer fails in the bare generated client, and decodes through cloud.Client with
// the number kept as its text.
func TestNumbersForStringsNeedTheTolerantTransport(t *testing.T) {
	body := `{"status":200,"requestId":"r","result":{"id":42,"name":12345,"state":"running","clickhouseVersion":24.8,` +
		`"minReplicaMemoryGb":8,"endpoints":[{"protocol":"https","host":"h","port":8443}],"tags":[{"key":"env","value":7}]}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, body) }))
	defer srv.Close()

	bare, err := cloudapi.NewClientWithResponses(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bare.InstanceGetWithResponse(context.Background(), testOrg, "s"); err == nil {
		t.Fatal("the bare generated client decoded numbers as strings: the tolerant transport has no purpose")
	}

	c := newTestClient(t, srv)
	resp, err := c.InstanceGetWithResponse(context.Background(), testOrg, "s")
	svc, err := Result(resp, err)
	if err != nil {
		t.Fatal(err)
	}
	if *svc.ID != "42" || *svc.Name != "12345" || *svc.ClickhouseVersion != "24.8" || *svc.MinReplicaMemoryGB != 8 ||
		svc.Tags[0].Value == nil || *svc.Tags[0].Value != "7" {
		t.Errorf("decoded %+v", svc)
	}
	if svc.Endpoints[0].Port == nil || *svc.Endpoints[0].Port != 8443 {
		t.Errorf("a declared number was changed: %+v", svc.Endpoints)
	}
	// Only the numbers in string places changed, byte for byte.
	want := strings.NewReplacer(`"id":42`, `"id":"42"`, `"name":12345`, `"name":"12345"`, `"clickhouseVersion":24.8`, `"clickhouseVersion":"24.8"`, `"value":7`, `"value":"7"`).Replace(body)
	if string(resp.Body) != want {
		t.Errorf("normalised body\n%s\nwant\n%s", resp.Body, want)
	}
}

// TestPlainAnswersAreNotRewritten: the fast path leaves an answer without numbers-for-strings
// as the very same bytes.
func TestPlainAnswersAreNotRewritten(t *testing.T) {
	shape := responseShapeFor(http.MethodGet, "/v1/organizations/o/services/s", 200)
	if shape == nil {
		t.Fatal("no shape for InstanceGet")
	}
	body := []byte(serviceBody("s", "running"))
	out, changed, dropped := shape.normalize(body)
	if changed || &out[0] != &body[0] || dropped != nil {
		t.Errorf("plain answer rewritten: %s", out)
	}
	for _, clean := range []string{`{"result":{"minReplicaMemoryGb":8,"endpoints":[{"port":9440}]}}`,
		`{"result":{"createdAt":"2025-03-04T10:11:12.5+02:00","isPrimary":true,"tags":[],"name":null}}`} {
		if shape.mayNeedRepair([]byte(clean)) {
			t.Errorf("fast path flags a clean answer: %s", clean)
		}
	}
	for _, suspicious := range []string{`{"result":{"name":1}}`, `{"result":{"createdAt":"yesterday"}}`,
		`{"result":{"numReplicas":"3"}}`, `{"result":{"numReplicas":2.5}}`, `{"result":{"isPrimary":"yes"}}`,
		`{"result":{"endpoints":{"port":1}}}`, `{"result":{"name":{"first":"x"}}}`, `{"result":{"name":true}}`,
		`{"result":{"minTotalMemoryGb":1e40}}`, `{"result":{"tags":["x"]}}`} {
		if !shape.mayNeedRepair([]byte(suspicious)) {
			t.Errorf("fast path missed %s", suspicious)
		}
	}
}

func TestRouteLookup(t *testing.T) {
	routes := loadRoutes()
	cases := map[string]string{
		"GET /v1/organizations":                                     "get /v1/organizations",
		"GET /v1/organizations/o1/services/s1":                      "get /v1/organizations/{organizationId}/services/{serviceId}",
		"PATCH /v1/organizations/o1/services/s1/state":              "patch /v1/organizations/{organizationId}/services/{serviceId}/state",
		"GET /v1/organizations/o1/services/s1/clickpipesCdcScaling": "get /v1/organizations/{organizationId}/services/{serviceId}/clickpipesCdcScaling",
		"GET /v1/nothing/here":                                      "",
		"DELETE /v1/organizations":                                  "",
	}
	for req, want := range cases {
		method, path, _ := strings.Cut(req, " ")
		got := ""
		if r := routes.lookup(method, path); r != nil {
			got = strings.ToLower(r.method) + " " + r.path
		}
		if got != want {
			t.Errorf("%s -> %q, want %q", req, got, want)
		}
	}
}

// TestRealSuccessResponse decodes the one real 200 body we have through the client.
func TestRealSuccessResponse(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("..", "testdata", "real-responses", "get-clickpipes-cdc-scaling-200.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, string(body)) }))
	defer srv.Close()
	c := newTestClient(t, srv)
	res, err := Result(c.ClickPipeCDCScalingGetWithResponse(context.Background(), testOrg, "svc"))
	if err != nil {
		t.Fatal(err)
	}
	if res.ReplicaCPUMillicores == nil || *res.ReplicaCPUMillicores != 2000 || res.ReplicaMemoryGB == nil || *res.ReplicaMemoryGB != 8 {
		t.Errorf("decoded %+v", res)
	}
}

func TestStringEnd(t *testing.T) {
	for _, s := range []string{"", "a", "12345678", "1234567\\", `quote " inside`, `back\slash`, `\\`, `tail\`,
		strings.Repeat("x", 7) + `"`, strings.Repeat(`\"`, 9), strings.Repeat("é", 20) + `\u0041"`} {
		encoded, _ := json.Marshal(s)
		doc := append(append([]byte{}, encoded...), `,"next":1}`...)
		if got := stringEnd(doc, 0); got != len(encoded) {
			t.Errorf("stringEnd(%s) = %d, want %d", encoded, got, len(encoded))
		}
	}
	if stringEnd([]byte(`"unterminated\"`), 0) != -1 {
		t.Error("unterminated string not reported")
	}
}

// TestTolerantDecodingBehindAPathPrefix: a base URL with a path (a proxy, a staging gateway)
// still finds the operation.
func TestTolerantDecodingBehindAPathPrefix(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/gateway/v1/") {
			http.NotFound(w, r)
			return
		}
		writeJSON(w, 200, `{"status":200,"result":{"id":"s","name":2024}}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv, WithBaseURL(srv.URL+"/gateway/"))
	svc, err := Result(c.InstanceGetWithResponse(context.Background(), testOrg, "s"))
	if err != nil || *svc.Name != "2024" {
		t.Fatalf("service %+v, err %v", svc, err)
	}
}

// TestSchemaIndexStaysSmall guards the memory every SDK user carries: the generated nodes are
// read-only data, and only those of answers that arrived are linked into schemaNodes. Holding
// the document parsed into maps (1.2 MB, 14,000 objects) made the garbage collector run about
// twice as often in small programs, which cost a list of 200 services ~20% more time than a
// bare net/http call.
func TestSchemaIndexStaysSmall(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	routes := buildRoutes()
	var shapes []*responseShape
	for _, path := range []string{"/v1/organizations/o/services", "/v1/organizations/o/services/s", "/v1/organizations/o/keys"} {
		route := routes.lookup(http.MethodGet, path)
		if route == nil {
			t.Fatalf("no operation for GET %s", path)
		}
		for _, r := range route.responses {
			linkMu.Lock()
			shapes = append(shapes, newResponseShape(linkNode(r.node)))
			linkMu.Unlock()
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(routes)
	runtime.KeepAlive(shapes)
	const limit = 512 << 10
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > limit {
		t.Errorf("the routes with three operations' shapes hold %d KB of heap, want at most %d KB", grown>>10, limit>>10)
	}
}

// TestGeneratedPropsAreSorted: schemaNode.child finds a property by binary search, so the
// properties schemagen writes for each node must be in name order.
func TestGeneratedPropsAreSorted(t *testing.T) {
	for i, n := range generatedNodes {
		if !slices.IsSortedFunc(n.props, func(a, b generatedProp) int { return strings.Compare(a.name, b.name) }) {
			t.Errorf("generatedNodes[%d]: properties not sorted by name", i)
		}
	}
	// And the lookup finds each of them, and nothing else.
	linkMu.Lock()
	root := linkNode(generatedRoutes[0].responses[0].node)
	linkMu.Unlock()
	for _, p := range root.props {
		if root.child(p.name) != p.node {
			t.Errorf("child(%q) does not find its node", p.name)
		}
	}
	if c := root.child("noSuchProperty"); c != root.additional {
		t.Errorf("child of an undeclared name = %v, want the additional schema", c)
	}
}
