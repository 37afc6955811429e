package cloudtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// eachWay runs f with every quirk on, and with every quirk but q on (so that each quirk is shown
// to be independent of the others).
func eachWay(t *testing.T, q Quirks, f func(t *testing.T, on bool, opts ...Option)) {
	t.Run("on", func(t *testing.T) { f(t, true, WithQuirks(AllQuirks)) })
	t.Run("off", func(t *testing.T) { f(t, false, WithQuirks(AllQuirks&^q)) })
}

// quirkFixture is a server on a manual clock with a running service.
type quirkFixture struct {
	s     *Server
	clock *ManualClock
	org   string
	svc   string // path of the running service
	id    string
}

func newQuirkFixture(t *testing.T, opts ...Option) *quirkFixture {
	t.Helper()
	clock := NewManualClock(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC))
	s := newTestServer(t, append([]Option{WithClock(clock), WithProvisioningDelay(time.Minute),
		WithTransitionDelay(time.Minute), WithDeleteCooldown(time.Minute)}, opts...)...)
	f := &quirkFixture{s: s, clock: clock, org: "/v1/organizations/" + s.OrganizationID}
	res := mustResult(t, s, 200, "POST", f.org+"/services", map[string]any{"name": "q", "provider": "aws", "region": "us-east-1", "idleTimeoutMinutes": 10})
	f.id = res["service"].(map[string]any)["id"].(string)
	f.svc = f.org + "/services/" + f.id
	clock.Advance(time.Minute)
	return f
}

func decode(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("not a JSON object: %v: %q", err, raw)
	}
	return m
}

func TestQuirksDefaultAndNames(t *testing.T) {
	if got := newTestServer(t).Quirks(); got != AllQuirks {
		t.Errorf("default quirks %v, want all", got)
	}
	if got := newTestServer(t, WithoutQuirks()).Quirks(); got != NoQuirks {
		t.Errorf("WithoutQuirks: %v", got)
	}
	if got := newTestServer(t, WithQuirks(^Quirks(0))).Quirks(); got != AllQuirks {
		t.Errorf("unknown bits are dropped: %v", got)
	}
	if s := NoQuirks.String(); s != "none" {
		t.Errorf("NoQuirks = %q", s)
	}
	if s := (QuirkBareTooManyRequests | QuirkDeleteShapes).String(); s != "bare-429|delete-shapes" {
		t.Errorf("String = %q", s)
	}
	for q := Quirks(1); q < quirkEnd; q <<= 1 {
		if quirkNames[q] == "" || strings.HasPrefix(q.String(), "0x") {
			t.Errorf("quirk %#x has no name", uint32(q))
		}
	}
}

func TestQuirkGatewayNotFoundIsAlwaysOn(t *testing.T) {
	s := newTestServer(t, WithoutQuirks())
	resp, raw := call(t, s, "GET", "/v1/nothing/<here>", nil)
	if resp.StatusCode != 404 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!bytes.Contains(raw, []byte("<pre>Cannot GET /v1/nothing/%3Chere%3E</pre>")) {
		t.Errorf("unrouted path without quirks: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	}
}

func TestQuirkBareTooManyRequests(t *testing.T) {
	eachWay(t, QuirkBareTooManyRequests, func(t *testing.T, on bool, opts ...Option) {
		clock := NewManualClock(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC))
		s := newTestServer(t, append(opts, WithClock(clock), WithRateLimit(1, 10*time.Second))...)
		call(t, s, "GET", "/v1/organizations", nil)
		limited, raw := call(t, s, "GET", "/v1/organizations", nil)
		s.SetFault("organizationGet", Fault{Status: 429})
		clock.Advance(time.Minute)
		injected, injectedRaw := call(t, s, "GET", "/v1/organizations/"+s.OrganizationID, nil)
		for _, c := range []struct {
			resp *http.Response
			raw  []byte
		}{{limited, raw}, {injected, injectedRaw}} {
			if c.resp.StatusCode != 429 || c.resp.Header.Get("Retry-After") == "" {
				t.Fatalf("status %d, Retry-After %q", c.resp.StatusCode, c.resp.Header.Get("Retry-After"))
			}
			body := decode(t, c.raw)
			if on && string(c.raw) != `{"error":"TOO_MANY_REQUESTS"}` {
				t.Errorf("429 body %s, want the bare one", c.raw)
			}
			if !on && (body["status"] != 429.0 || !uuidPattern().MatchString(body["requestId"].(string)) || !strings.HasPrefix(body["error"].(string), "TOO_MANY_REQUESTS: ")) {
				t.Errorf("429 body %s, want the envelope", c.raw)
			}
		}
	})
}

func TestQuirkUnauthorizedWithoutRequestID(t *testing.T) {
	eachWay(t, QuirkUnauthorizedWithoutRequestID, func(t *testing.T, on bool, opts ...Option) {
		s := newTestServer(t, opts...)
		req := httptest.NewRequest("GET", "/v1/organizations", nil)
		req.SetBasicAuth("NOSUCHKEY", "x")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		body := decode(t, rec.Body.Bytes())
		if rec.Code != 401 || body["error"] != "UNAUTHORIZED: Key is not found" || body["status"] != 401.0 {
			t.Fatalf("unknown key: %d %s", rec.Code, rec.Body)
		}
		if _, has := body["requestId"]; has == on {
			t.Errorf("unknown key, quirk %v: %s", on, rec.Body)
		}
		// No Authorization header: a requestId either way, as captured.
		rec = httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/organizations", nil))
		if decode(t, rec.Body.Bytes())["requestId"] == nil {
			t.Errorf("no credentials: %s", rec.Body)
		}
	})
}

func TestQuirkNullReversePrivateEndpoints(t *testing.T) {
	eachWay(t, QuirkNullReversePrivateEndpoints, func(t *testing.T, on bool, opts ...Option) {
		f := newQuirkFixture(t, append(opts, WithIdleTimeout(time.Hour))...)
		pipe := mustResult(t, f.s, 200, "POST", f.svc+"/clickpipes", map[string]any{"name": "k"})
		pipeURL := f.svc + "/clickpipes/" + pipe["id"].(string)
		_, listRaw := call(t, f.s, "GET", f.svc+"/clickpipes", nil)
		var list struct{ Result []map[string]any }
		if err := json.Unmarshal(listRaw, &list); err != nil || len(list.Result) != 1 {
			t.Fatalf("list: %v %s", err, listRaw)
		}
		for what, p := range map[string]map[string]any{"create": pipe, "get": mustResult(t, f.s, 200, "GET", pipeURL, nil), "list": list.Result[0]} {
			kafka := p["source"].(map[string]any)["kafka"].(map[string]any)
			ids, present := kafka["reversePrivateEndpointIds"]
			if !present {
				t.Fatalf("%s: no reversePrivateEndpointIds in %v", what, kafka)
			}
			if on && ids != nil {
				t.Errorf("%s: reversePrivateEndpointIds %v, want null", what, ids)
			}
			if list, ok := ids.([]any); !on && (!ok || len(list) != 0) {
				t.Errorf("%s: reversePrivateEndpointIds %v, want []", what, ids)
			}
		}
	})
}

func TestQuirkDeleteShapes(t *testing.T) {
	eachWay(t, QuirkDeleteShapes, func(t *testing.T, on bool, opts ...Option) {
		f := newQuirkFixture(t, append(opts, WithIdleTimeout(time.Hour))...)
		pipe := mustResult(t, f.s, 200, "POST", f.svc+"/clickpipes", map[string]any{"name": "k"})
		key := mustResult(t, f.s, 200, "POST", f.org+"/keys", map[string]any{"name": "k", "roles": []string{"developer"}})["key"].(map[string]any)
		pg := mustResult(t, f.s, 200, "POST", f.org+"/postgres", map[string]any{"name": "pg", "provider": "aws", "region": "us-east-1", "size": "r8gd.medium"})
		cases := []struct {
			path string
			want deleteShape
		}{
			{f.svc + "/clickpipes/" + pipe["id"].(string), deleteEmpty},
			{f.svc + "/clickstack/dashboards/0f0f0f0f-0000-4000-8000-000000000001", deleteEmpty},
			{f.org + "/keys/" + key["id"].(string), deleteStatusOnly},
			{f.org + "/postgres/" + pg["id"].(string), deleteFull},
			{f.org + "/udfs/my_function", deleteFull},
		}
		for _, c := range cases {
			resp, raw := call(t, f.s, "DELETE", c.path, nil)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("DELETE %s: %d %s %s", c.path, resp.StatusCode, resp.Header.Get("Content-Type"), raw)
			}
			want := c.want
			if !on {
				want = deleteStatusOnly
			}
			switch want {
			case deleteEmpty:
				if len(raw) != 0 || resp.Header.Get("Content-Length") != "0" {
					t.Errorf("DELETE %s: %q, want an empty body", c.path, raw)
				}
				continue
			}
			body := decode(t, raw)
			if body["status"] != 200.0 || !uuidPattern().MatchString(body["requestId"].(string)) {
				t.Errorf("DELETE %s: %s", c.path, raw)
			}
			if _, has := body["result"]; has != (want == deleteFull) {
				t.Errorf("DELETE %s: %s, want result: %v", c.path, raw, want == deleteFull)
			}
		}
		if on {
			_, raw := call(t, f.s, "DELETE", f.org+"/postgres/"+pg["id"].(string), nil)
			if res, _ := decode(t, raw)["result"].(map[string]any); res["id"] != pg["id"] || res["state"] != "deleting" {
				t.Errorf("Postgres delete result: %s", raw)
			}
		}
	})
}

func TestQuirkEmptyStateAnswer(t *testing.T) {
	eachWay(t, QuirkEmptyStateAnswer, func(t *testing.T, on bool, opts ...Option) {
		f := newQuirkFixture(t, opts...)
		state := func(cmd string) (int, []byte) {
			resp, raw := call(t, f.s, "PATCH", f.svc+"/state", map[string]any{"command": cmd})
			return resp.StatusCode, raw
		}
		noOp := func(what, cmd string) {
			t.Helper()
			status, raw := state(cmd)
			if status != 200 {
				t.Fatalf("%s: %d %s", what, status, raw)
			}
			if on && string(raw) != "{}" {
				t.Errorf("%s: %s, want {}", what, raw)
			}
			if !on && decode(t, raw)["result"] == nil {
				t.Errorf("%s: %s, want the envelope", what, raw)
			}
		}
		noOp("start on running", "start")
		if st := mustResult(t, f.s, 200, "PATCH", f.svc+"/state", map[string]any{"command": "stop"})["state"]; st != "stopping" {
			t.Errorf("stop on running: %v", st)
		}
		noOp("stop on stopping", "stop")
		f.clock.Advance(time.Minute)
		noOp("stop on stopped", "stop")
		mustResult(t, f.s, 200, "PATCH", f.svc+"/state", map[string]any{"command": "start"})
		f.clock.Advance(time.Minute + 10*time.Minute)
		// Idle: start is ignored, and the answer says so with the state.
		if st := mustResult(t, f.s, 200, "PATCH", f.svc+"/state", map[string]any{"command": "start"})["state"]; st != "idle" {
			t.Errorf("start on idle: %v", st)
		}
	})
}

func TestQuirkDeleteConflict(t *testing.T) {
	eachWay(t, QuirkDeleteConflict, func(t *testing.T, on bool, opts ...Option) {
		f := newQuirkFixture(t, opts...)
		conflict, code := 409, "CONFLICT: "
		if !on {
			conflict, code = 400, "BAD_REQUEST: "
		}
		resp, raw := call(t, f.s, "DELETE", f.svc, nil)
		if resp.StatusCode != conflict || !bytes.Contains(raw, []byte(`"error":"`+code+"Service "+f.id+" must be stopped")) {
			t.Errorf("delete of a running service: %d %s", resp.StatusCode, raw)
		}
		mustResult(t, f.s, 200, "PATCH", f.svc+"/state", map[string]any{"command": "stop"})
		f.clock.Advance(time.Minute) // stopped, within the cooldown
		resp, raw = call(t, f.s, "DELETE", f.svc, nil)
		if on && resp.StatusCode != 409 {
			t.Errorf("delete within the cooldown: %d %s, want 409", resp.StatusCode, raw)
		}
		if !on && resp.StatusCode != 200 {
			t.Errorf("delete of a stopped service without the quirk: %d %s, want 200", resp.StatusCode, raw)
		}
		if !on {
			return
		}
		f.clock.Advance(time.Minute)
		if resp, raw := call(t, f.s, "DELETE", f.svc, nil); resp.StatusCode != 200 {
			t.Errorf("delete after the cooldown: %d %s", resp.StatusCode, raw)
		}
	})
}

func TestQuirkClickPipeFailedDependency(t *testing.T) {
	eachWay(t, QuirkClickPipeFailedDependency, func(t *testing.T, on bool, opts ...Option) {
		f := newQuirkFixture(t, opts...)
		f.clock.Advance(10 * time.Minute)
		resp, raw := call(t, f.s, "POST", f.svc+"/clickpipes", map[string]any{"name": "idle"})
		body := decode(t, raw)
		wantStatus, wantErr := 424, "FAILED_DEPENDENCY: ClickPipe creation is allowed only when the ClickHouse service is running. Current state: idle"
		if !on {
			wantStatus, wantErr = 400, "BAD_REQUEST: ClickPipe creation is allowed only when the ClickHouse service is running. Current state: idle"
		}
		if resp.StatusCode != wantStatus || body["error"] != wantErr || body["status"] != float64(wantStatus) {
			t.Errorf("pipe on an idle service: %d %s", resp.StatusCode, raw)
		}
		if _, has := body["code"]; has {
			t.Errorf("the ClickPipe 424 has no code: %s", raw)
		}
	})
}

func TestQuirkNumericSettingValues(t *testing.T) {
	eachWay(t, QuirkNumericSettingValues, func(t *testing.T, on bool, opts ...Option) {
		f := newQuirkFixture(t, opts...)
		settings := f.svc + "/clickhouseSettings"
		threads := any("8")
		if on {
			threads = 8.0
		}
		list := mustResult(t, f.s, 200, "GET", settings, nil)["settings"].([]any)
		if len(list) != 2 || list[0].(map[string]any)["value"] != threads || list[1].(map[string]any)["value"] != "24.8" {
			t.Errorf("settings %v, want max_threads %#v first and compatibility \"24.8\"", list, threads)
		}
		if v := mustResult(t, f.s, 200, "GET", settings+"/max_threads", nil)["value"]; v != threads {
			t.Errorf("max_threads %#v, want %#v", v, threads)
		}
		res := mustResult(t, f.s, 200, "PATCH", settings, map[string]any{"settings": `{"max_threads":"4","join_algorithm":"hash","max_memory_usage":1000}`})
		if res["settings"] != `{"join_algorithm":"hash","max_memory_usage":"1000","max_threads":"4"}` {
			t.Errorf("applied %v", res["settings"])
		}
		got := mustResult(t, f.s, 200, "GET", settings+"/max_memory_usage", nil)["value"]
		if want := any("1000"); (on && got != 1000.0) || (!on && got != want) {
			t.Errorf("max_memory_usage %#v (quirk %v)", got, on)
		}
		if v := mustResult(t, f.s, 200, "GET", settings+"/join_algorithm", nil)["value"]; v != "hash" {
			t.Errorf("join_algorithm %#v", v)
		}
		call(t, f.s, "DELETE", settings+"/max_threads", nil)
		if v := mustResult(t, f.s, 200, "GET", settings+"/max_threads", nil)["value"]; v != threads {
			t.Errorf("max_threads after reset %#v, want the default %#v", v, threads)
		}
		if resp, raw := call(t, f.s, "GET", settings+"/no_such_setting", nil); resp.StatusCode != 400 {
			t.Errorf("unknown setting: %d %s", resp.StatusCode, raw)
		}
	})
}

func TestQuirkPlainTextAwake(t *testing.T) {
	eachWay(t, QuirkPlainTextAwake, func(t *testing.T, on bool, opts ...Option) {
		f := newQuirkFixture(t, opts...)
		resp, raw := call(t, f.s, "PATCH", f.svc+"/state", map[string]any{"command": "awake"})
		if on {
			if resp.StatusCode != 400 || string(raw) != "Service must be in idle state to awake" || resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("awake on running: %d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), raw)
			}
		} else if resp.StatusCode != 200 || decode(t, raw)["result"].(map[string]any)["state"] != "running" {
			t.Errorf("awake on running without the quirk: %d %s", resp.StatusCode, raw)
		}
		f.clock.Advance(10 * time.Minute)
		if st := mustResult(t, f.s, 200, "PATCH", f.svc+"/state", map[string]any{"command": "awake"})["state"]; st != "awaking" {
			t.Errorf("awake on idle: %v", st)
		}
	})
}

func TestQuirkCDCSettingsNotFound(t *testing.T) {
	eachWay(t, QuirkCDCSettingsNotFound, func(t *testing.T, on bool, opts ...Option) {
		f := newQuirkFixture(t, append(opts, WithIdleTimeout(time.Hour))...)
		pipe := mustResult(t, f.s, 200, "POST", f.svc+"/clickpipes", map[string]any{"name": "k"})
		f.s.mu.Lock()
		svc, _ := f.s.st.services.get(f.id)
		p, _ := svc.clickpipes.get(pipe["id"].(string))
		p.doc["source"] = map[string]any{"postgres": map[string]any{"host": "db"}}
		f.s.mu.Unlock()
		want, prefix := 404, `"error":"NOT_FOUND: Settings are not available`
		if !on {
			want, prefix = 400, `"error":"BAD_REQUEST: Settings are not available`
		}
		if resp, raw := call(t, f.s, "GET", f.svc+"/clickpipes/"+pipe["id"].(string)+"/settings", nil); resp.StatusCode != want || !bytes.Contains(raw, []byte(prefix)) {
			t.Errorf("CDC pipe settings: %d %s", resp.StatusCode, raw)
		}
	})
}

func TestQuirkDependentReplica(t *testing.T) {
	eachWay(t, QuirkDependentReplica, func(t *testing.T, on bool, opts ...Option) {
		f := newQuirkFixture(t, opts...)
		pg := mustResult(t, f.s, 200, "POST", f.org+"/postgres", map[string]any{"name": "pg", "provider": "aws", "region": "us-east-1", "size": "r8gd.medium"})
		primary := f.org + "/postgres/" + pg["id"].(string)
		f.clock.Advance(time.Minute)
		replica := mustResult(t, f.s, 200, "POST", primary+"/readReplica", map[string]any{"name": "pgreplica"})
		if replica["isPrimary"] != false || replica["name"] != "pgreplica" || replica["region"] != "us-east-1" || replica["id"] == pg["id"] {
			t.Errorf("replica %v", replica)
		}
		resp, raw := call(t, f.s, "DELETE", primary, nil)
		body := decode(t, raw)
		if on && (resp.StatusCode != 409 || body["code"] != "DEPENDENT_REPLICA" || !strings.HasPrefix(body["error"].(string), "CONFLICT: ")) {
			t.Errorf("delete of a primary with a replica: %d %s", resp.StatusCode, raw)
		}
		if _, has := body["code"]; !on && (resp.StatusCode != 400 || has) {
			t.Errorf("delete of a primary with a replica, no quirk: %d %s", resp.StatusCode, raw)
		}
		if resp, raw := call(t, f.s, "DELETE", f.org+"/postgres/"+replica["id"].(string), nil); resp.StatusCode != 200 {
			t.Fatalf("delete of the replica: %d %s", resp.StatusCode, raw)
		}
		if resp, raw := call(t, f.s, "DELETE", primary, nil); resp.StatusCode != 200 {
			t.Errorf("delete of the primary once its replica is deleting: %d %s", resp.StatusCode, raw)
		}
	})
}

func TestQuirkClickStackUnknownError(t *testing.T) {
	eachWay(t, QuirkClickStackUnknownError, func(t *testing.T, on bool, opts ...Option) {
		f := newQuirkFixture(t, opts...)
		item := f.svc + "/clickstack/saved-searches/0f0f0f0f-0000-4000-8000-000000000002"
		mustResult(t, f.s, 200, "GET", item, nil)
		if resp, raw := call(t, f.s, "DELETE", item, nil); resp.StatusCode != 200 {
			t.Fatalf("delete: %d %s", resp.StatusCode, raw)
		}
		want := "NOT_FOUND: Unknown Error"
		if !on {
			want = "NOT_FOUND: ClickStack saved search with id 0f0f0f0f-0000-4000-8000-000000000002 not found"
		}
		for _, method := range []string{"GET", "DELETE"} {
			resp, raw := call(t, f.s, method, item, nil)
			if body := decode(t, raw); resp.StatusCode != 404 || body["error"] != want || body["requestId"] == nil {
				t.Errorf("%s of a deleted item: %d %s", method, resp.StatusCode, raw)
			}
		}
		// Another item, or the same ID under another service, is still there.
		mustResult(t, f.s, 200, "GET", strings.Replace(item, "0000000002", "0000000003", 1), nil)
	})
}

func TestClickPipeCreateAcceptsATrailingSlash(t *testing.T) {
	for _, q := range []Quirks{AllQuirks, NoQuirks} {
		f := newQuirkFixture(t, WithQuirks(q), WithIdleTimeout(time.Hour))
		pipe := mustResult(t, f.s, 200, "POST", f.svc+"/clickpipes/", map[string]any{"name": "slash"})
		if pipe["name"] != "slash" || pipe["serviceId"] != f.id {
			t.Errorf("quirks %v: pipe %v", q, pipe)
		}
		if resp, _ := call(t, f.s, "GET", f.svc+"/clickpipes/", nil); resp.StatusCode != 404 {
			t.Errorf("quirks %v: the list with a trailing slash: %d, want the gateway's 404", q, resp.StatusCode)
		}
	}
}
