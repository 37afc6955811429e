package cloud

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/chcloud-dev/chcloud/cloud/redact"
)

// maxLoggedBody bounds the body text in one log record.
const maxLoggedBody = 64 << 10

// logTransport writes one debug record per HTTP attempt: method, URL, attempt, status, duration,
// request ID, and both bodies with secrets redacted (package redact). When the logger is not
// enabled for debug it costs a single check.
type logTransport struct {
	next   http.RoundTripper
	logger *slog.Logger
}

func (t *logTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if !t.logger.Enabled(ctx, slog.LevelDebug) {
		return t.next.RoundTrip(req)
	}
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("url", redact.URL(req.URL.String())),
		slog.Int("attempt", attemptFrom(ctx)),
	}
	if auth := redact.Header(req.Header).Get("Authorization"); auth != "" {
		attrs = append(attrs, slog.String("authorization", auth))
	}
	if req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			data, _ := io.ReadAll(io.LimitReader(body, maxLoggedBody+1))
			body.Close()
			attrs = append(attrs, slog.String("request_body", loggableBody(req.Header.Get("Content-Type"), data)))
		}
	}
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	attrs = append(attrs, slog.Duration("duration", time.Since(start)))
	if err != nil {
		attrs = append(attrs, slog.String("error", redact.Text(err.Error())))
		t.logger.LogAttrs(ctx, slog.LevelDebug, "cloud api call failed", attrs...)
		return nil, err
	}
	attrs = append(attrs, slog.Int("status", resp.StatusCode))
	data, readErr := io.ReadAll(resp.Body)
	resp.Body.Close()
	setBufferedBody(resp, data)
	if id := requestID(resp.Header, data); id != "" {
		attrs = append(attrs, slog.String("request_id", id))
	}
	if readErr != nil {
		attrs = append(attrs, slog.String("body_error", readErr.Error()))
	}
	attrs = append(attrs, slog.String("response_body", loggableBody(resp.Header.Get("Content-Type"), data)))
	t.logger.LogAttrs(ctx, slog.LevelDebug, "cloud api call", attrs...)
	if readErr != nil {
		return nil, readErr
	}
	return resp, nil
}

func loggableBody(contentType string, data []byte) string {
	truncated := len(data) > maxLoggedBody
	if truncated {
		// A cut JSON document does not parse, so it cannot be redacted field by field: only
		// its size is shown.
		return "(body of more than 64 KiB not shown)"
	}
	return string(bytes.TrimSpace(redact.Body(contentType, data)))
}

// requestID finds the request ID of an answer: the envelope's requestId, or a header.
func requestID(h http.Header, body []byte) string {
	if id := h.Get("X-Request-Id"); id != "" {
		return id
	}
	var envelope struct {
		RequestID string `json:"requestId"`
	}
	if json.Unmarshal(body, &envelope) == nil {
		return envelope.RequestID
	}
	return ""
}
