package cloudtest

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chcloud-dev/chcloud/spec"
	"github.com/chcloud-dev/chcloud/spec/specdoc"
)

// Version is the fake server's version, sent on every answer as the X-Chcloud-Fake header so
// that a recording made against the fake is never mistaken for one made against the real API.
const Version = "0.1.0"

// HeaderFake is the response header carrying Version.
const HeaderFake = "X-Chcloud-Fake"

// maxBody bounds request bodies; the real API's are a few kilobytes.
const maxBody = 1 << 20

// Server is a fake ClickHouse Cloud API server. Point a client at URL with Basic auth
// KeyID:KeySecret (an admin key of organization OrganizationID).
type Server struct {
	URL            string // base URL, e.g. http://127.0.0.1:39113 (no trailing slash)
	KeyID          string // key ID of the admin key the server starts with
	KeySecret      string // its secret
	OrganizationID string // the one organization the keys belong to

	cfg      config
	routes   *router
	ids      *idSource
	limiter  *rateLimiter
	faults   *faultTable
	listener net.Listener
	http     *http.Server
	served   chan struct{}

	mu        sync.Mutex // guards st and templates
	st        *state
	templates map[string]map[string]any // synthesized documents by schema name
}

// NewServer starts a fake server on 127.0.0.1 with a random port, like httptest.NewServer.
// Rate limiting is off unless WithRateLimit is given. Every quirk of the real API is on (see
// WithQuirks for why); WithoutQuirks gives a server that answers as the document says. It panics if it cannot listen (as
// httptest does). Close it when done.
func NewServer(opts ...Option) *Server {
	s, err := Start("127.0.0.1:0", opts...)
	if err != nil {
		panic(fmt.Sprintf("cloudtest: %v", err))
	}
	return s
}

// Start starts a fake server listening on addr (host:port; port 0 picks one).
func Start(addr string, opts ...Option) (*Server, error) {
	s, err := newServer(opts...)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cloudtest: listening on %s: %w", addr, err)
	}
	s.listener = ln
	s.URL = "http://" + dialable(ln.Addr())
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.served = make(chan struct{})
	go func() {
		defer close(s.served)
		_ = s.http.Serve(ln) // returns http.ErrServerClosed on Close/Shutdown
	}()
	return s, nil
}

func newServer(opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	doc, err := specdoc.OpenAPI()
	if err != nil {
		return nil, fmt.Errorf("cloudtest: %w", err)
	}
	ops, err := spec.Operations()
	if err != nil {
		return nil, fmt.Errorf("cloudtest: %w", err)
	}
	routes, err := newRouter(doc, ops)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:       cfg,
		routes:    routes,
		ids:       newIDSource(cfg.seed, "ids"),
		faults:    newFaultTable(cfg.faults, cfg.randomFaultRate, cfg.randomFaultSeed),
		templates: map[string]map[string]any{},
	}
	if cfg.rateLimit > 0 {
		s.limiter = newRateLimiter(cfg.rateLimit, cfg.rateWindow)
	}
	s.st = s.newState()
	return s, nil
}

// Close stops the server at once, closing every connection.
func (s *Server) Close() {
	if s.http == nil {
		return
	}
	_ = s.http.Close()
	<-s.served
}

// Shutdown stops the server gracefully: it stops accepting connections and waits for the
// requests in flight to finish, or for ctx to end.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.http == nil {
		return nil
	}
	err := s.http.Shutdown(ctx)
	if err != nil {
		_ = s.http.Close()
	}
	<-s.served
	return err
}

// SetFault changes the fault injected into operationID ("*" for every operation) while the
// server runs; the zero Fault removes it.
func (s *Server) SetFault(operationID string, f Fault) { s.faults.set(operationID, f) }

func (s *Server) now() time.Time { return s.cfg.clock.Now().UTC() }

// request is one request on its way through the server.
type request struct {
	s         *Server
	r         *http.Request
	route     *route
	params    map[string]string
	body      []byte
	requestID string
	key       *apiKey
	access    access // what the key's roles let it do (read under the lock)
	now       time.Time
}

// response is what a handler answers; the server writes it (or a fault mangles it).
type response struct {
	status      int
	contentType string
	body        []byte
}

// ServeHTTP answers one request like the real API would. The Server is an http.Handler, so it
// can also be mounted in a caller's own httptest server or called with a ResponseRecorder.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(HeaderFake, Version)
	resp, fault, op := s.handle(w, r)
	if fault.Delay > 0 {
		t := time.NewTimer(fault.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}
	if fault.Drop {
		panic(http.ErrAbortHandler) // net/http closes the connection without an answer
	}
	if resp.contentType != "" {
		w.Header().Set("Content-Type", resp.contentType)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(resp.body)))
	w.WriteHeader(resp.status)
	if fault.Truncate && len(resp.body) > 0 {
		_, _ = w.Write(resp.body[:len(resp.body)/2])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler)
	}
	_, _ = w.Write(resp.body)
	if s.cfg.logger != nil {
		s.cfg.logger.LogAttrs(r.Context(), slog.LevelInfo, "cloudtest request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.String("operation", op), slog.Int("status", resp.status))
	}
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) (response, Fault, string) {
	if r.Method == http.MethodGet && (r.URL.Path == "/v1" || r.URL.Path == "/v1/") {
		// The real API serves its OpenAPI document here, without auth.
		return response{status: 200, contentType: "application/json", body: spec.Document()}, Fault{}, "openapi"
	}
	rt, params := s.routes.match(r.Method, r.URL.EscapedPath())
	if rt == nil {
		return gatewayNotFound(r.Method, r.URL.EscapedPath()), Fault{}, ""
	}
	q := &request{s: s, r: r, route: rt, params: params, requestID: s.ids.UUID(), now: s.now()}
	keyID, secret, hasAuth := r.BasicAuth()
	if s.limiter != nil {
		principal := "key:" + keyID
		if !hasAuth {
			principal = "addr:" + remoteHost(r)
		}
		d := s.limiter.take(principal, q.now)
		h := w.Header()
		h.Set("X-RateLimit-Limit", strconv.Itoa(d.limit))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(d.remaining))
		h.Set("X-RateLimit-Reset", strconv.FormatFloat(d.reset.Seconds(), 'f', -1, 64))
		h.Set("X-RateLimit-Policy", fmt.Sprintf("%d;w=%s;comment=\"fixed window\"", d.limit, strconv.FormatFloat(s.cfg.rateWindow.Seconds(), 'f', -1, 64)))
		if !d.allowed {
			h.Set("Retry-After", strconv.Itoa(int(d.reset.Seconds()+0.999)))
			return q.tooManyRequests(), Fault{}, rt.op.ID
		}
	}
	if !hasAuth {
		return q.unauthorized(true, "No Authorization header provided."), Fault{}, rt.op.ID
	}
	key, access, problem := s.authenticate(keyID, secret, q.now)
	if key == nil {
		return q.unauthorized(false, problem), Fault{}, rt.op.ID
	}
	q.key, q.access = key, access
	fault, faulty := s.faults.pick(rt.op.ID)
	if faulty && fault.Status != 0 && !fault.Drop {
		return q.injected(w, fault.Status), fault, rt.op.ID
	}
	if resp, ok := q.readAndValidate(); !ok {
		return resp, fault, rt.op.ID
	}
	return q.shapeDelete(q.dispatch()), fault, rt.op.ID
}

// injected answers a Fault's status, shaped as the real API answers that status.
func (q *request) injected(w http.ResponseWriter, status int) response {
	switch status {
	case http.StatusTooManyRequests:
		h := w.Header()
		if h.Get("X-RateLimit-Limit") == "" {
			h.Set("X-RateLimit-Limit", "10")
			h.Set("X-RateLimit-Reset", "1")
		}
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("Retry-After", "1")
		return q.tooManyRequests()
	case http.StatusUnauthorized:
		return q.unauthorized(false, "Key is not found")
	}
	return q.fail(status, statusCode(status), "Injected fault")
}

// gatewayNotFound is the HTML page the real API's gateway answers for a route it does not know
// (an Express "Cannot GET /path" page): not the JSON envelope, which is how a client tells a
// missing route from a missing resource. It is not a quirk that can be turned off: the document
// says nothing about paths it does not have, so this breaks none of its promises.
func gatewayNotFound(method, escapedPath string) response {
	body := "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot " +
		html.EscapeString(method) + " " + html.EscapeString(escapedPath) + "</pre>\n</body>\n</html>\n"
	return response{status: http.StatusNotFound, contentType: "text/html; charset=utf-8", body: []byte(body)}
}

// dialable is the listener's address as a client can dial it: a wildcard host (0.0.0.0, ::)
// becomes the loopback address.
func dialable(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return addr.String()
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
}

func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// authenticate finds the key with this ID and checks its secret, state and expiry (by the fake's
// clock), and returns what its roles let it do. An expired key gets "Key is not active", the
// wording asked for in issue 12 (the real API's text for an expired key has not been captured);
// a disabled one gets "Key is disabled", so that a client can tell the two apart.
func (s *Server) authenticate(keyID, secret string, now time.Time) (key *apiKey, a access, problem string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key = s.st.keysByKeyID[keyID]
	if key == nil || subtle.ConstantTimeCompare([]byte(key.secret), []byte(secret)) != 1 {
		return nil, accessRead, "Key is not found"
	}
	if state, _ := key.doc["state"].(string); state == "disabled" {
		return nil, accessRead, "Key is disabled"
	}
	if keyExpired(key, now) {
		return nil, accessRead, "Key is not active"
	}
	key.doc["usedAt"] = now.Truncate(time.Minute).Format(time.RFC3339)
	return key, key.access(), ""
}

// readAndValidate reads the body and checks the request against the document: path and query
// parameters and body. A violation answers 400 BAD_REQUEST like the real API.
func (q *request) readAndValidate() (response, bool) {
	if q.r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(q.r.Body, maxBody+1))
		if err != nil {
			return q.fail(400, "BAD_REQUEST", "could not read the request body"), false
		}
		if len(body) > maxBody {
			return q.fail(400, "BAD_REQUEST", "request body is too large"), false
		}
		q.body = body
	}
	if err := validateRequest(q.r, q.body, q.route, q.params); err != nil {
		return q.fail(400, "BAD_REQUEST", err.Error()), false
	}
	if org, ok := q.params["organizationId"]; ok && org != q.s.OrganizationID {
		if !q.s.quirk(QuirkForeignOrganizationForbidden) {
			return q.fail(404, "NOT_FOUND", "Organization "+org+" not found"), false
		}
		return q.fail(403, "FORBIDDEN", "The API key does not have access to organization "+org), false
	}
	if !q.access.permits(q.route.op) {
		return q.fail(403, "FORBIDDEN", "The API key does not have permission to perform this action"), false
	}
	return response{}, true
}

// unauthorized answers 401 the way the real captures show: with a requestId when no
// Authorization header came, without one when the key is unknown (QuirkUnauthorizedWithoutRequestID;
// without it, always with one).
func (q *request) unauthorized(withRequestID bool, message string) response {
	var body []byte
	if withRequestID || !q.s.quirk(QuirkUnauthorizedWithoutRequestID) {
		body, _ = json.Marshal(struct {
			RequestID string `json:"requestId"`
			Error     string `json:"error"`
			Status    int    `json:"status"`
		}{q.requestID, "UNAUTHORIZED: " + message, 401})
	} else {
		body, _ = json.Marshal(struct {
			Error  string `json:"error"`
			Status int    `json:"status"`
		}{"UNAUTHORIZED: " + message, 401})
	}
	return response{status: http.StatusUnauthorized, contentType: "application/json", body: body}
}

// fail answers the real error envelope {"status":N,"requestId":...,"error":"CODE: message"}.
func (q *request) fail(status int, code, message string) response {
	body, _ := json.Marshal(struct {
		Status    int    `json:"status"`
		RequestID string `json:"requestId"`
		Error     string `json:"error"`
	}{status, q.requestID, code + ": " + message})
	return response{status: status, contentType: "application/json", body: body}
}

func (q *request) notFound(what string) response {
	return q.fail(http.StatusNotFound, "NOT_FOUND", what+" not found")
}

// ok answers the success envelope with result (any JSON-encodable value).
func (q *request) ok(result any) response {
	raw, err := json.Marshal(result)
	if err != nil {
		return q.fail(500, "INTERNAL_ERROR", "encoding the result failed")
	}
	return q.okRaw(raw)
}

func (q *request) okRaw(result []byte) response {
	var b bytes.Buffer
	b.Grow(len(result) + 96)
	fmt.Fprintf(&b, `{"status":%d,"requestId":"%s","result":`, q.route.success, q.requestID)
	b.Write(result)
	b.WriteByte('}')
	return response{status: q.route.success, contentType: "application/json", body: b.Bytes()}
}

// done answers a success without result, as DELETE does.
func (q *request) done() response {
	body := fmt.Sprintf(`{"status":%d,"requestId":"%s"}`, q.route.success, q.requestID)
	return response{status: q.route.success, contentType: "application/json", body: []byte(body)}
}

// decodeBody decodes the (already validated) JSON body into v. Validation has refused what does
// not fit, so an error here is a gap between the document and the handler's Go type: it is
// worded as the validator words problems, never with Go type names.
func (q *request) decodeBody(v any) error {
	if len(bytes.TrimSpace(q.body)) == 0 {
		return nil
	}
	err := json.Unmarshal(q.body, v)
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field == "" {
			return fmt.Errorf("request body: got %s where it does not fit", typeErr.Value)
		}
		return fmt.Errorf("request body.%s: got %s where it does not fit", typeErr.Field, typeErr.Value)
	}
	return errors.New("request body: not valid JSON")
}

// statusCode names an HTTP status the way the real API's error strings do.
func statusCode(status int) string {
	switch status {
	case 400:
		return "BAD_REQUEST"
	case 401:
		return "UNAUTHORIZED"
	case 403:
		return "FORBIDDEN"
	case 404:
		return "NOT_FOUND"
	case 409:
		return "CONFLICT"
	case 424:
		return "FAILED_DEPENDENCY"
	case 429:
		return "TOO_MANY_REQUESTS"
	case 502:
		return "BAD_GATEWAY"
	case 503:
		return "SERVICE_UNAVAILABLE"
	case 504:
		return "GATEWAY_TIMEOUT"
	}
	if status >= 500 {
		return "INTERNAL_ERROR"
	}
	return strings.ToUpper(strings.ReplaceAll(http.StatusText(status), " ", "_"))
}
