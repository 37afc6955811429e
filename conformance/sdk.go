package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/conformance/findings"
	"github.com/chcloud-dev/chcloud/spec"
)

// sdkHost is never contacted: the SDK's transport chain ends in a transport that hands back the
// answer being judged.
const sdkHost = "http://sdk.invalid"

type cannedAnswer struct{}

// canned returns the response carried by the request's context.
type canned struct{}

func (canned) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, ok := r.Context().Value(cannedAnswer{}).(*http.Response)
	if !ok {
		return nil, fmt.Errorf("conformance: no canned answer for %s", r.URL.Path)
	}
	resp.Request = r
	return resp, nil
}

// SDKDecoders returns, for every operation, a decoder that reads an answer the way package cloud
// does: through its transport chain (whose tolerant step quotes numbers sent where the document
// declares strings) and then the generated parser. A decode-failure finding thus means that the
// SDK users get, not the bare generated code, cannot read the answer.
func SDKDecoders() (map[string]findings.Decoder, error) {
	c, err := cloud.New(cloud.WithCredentials("conformance", "decoder"), cloud.WithBaseURL(sdkHost),
		cloud.WithHTTPClient(&http.Client{Transport: canned{}}), cloud.WithoutRateLimit(),
		cloud.WithRetryPolicy(cloud.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		return nil, err
	}
	ops, err := spec.Operations()
	if err != nil {
		return nil, err
	}
	generated := findings.GeneratedDecoders()
	out := make(map[string]findings.Decoder, len(ops))
	for _, o := range ops {
		parse := generated[o.ID]
		if parse == nil {
			continue
		}
		path := o.Path
		for _, p := range o.PathParams {
			path = strings.Replace(path, "{"+p+"}", "x", 1)
		}
		method, url := o.Method, sdkHost+path
		out[o.ID] = func(resp *http.Response) error {
			ctx := context.WithValue(context.Background(), cannedAnswer{}, resp)
			req, err := http.NewRequestWithContext(ctx, method, url, nil)
			if err != nil {
				return err
			}
			through, err := c.HTTPClient().Do(req)
			if err != nil {
				return err
			}
			if err := parse(through); err != nil {
				return err
			}
			// The SDK decoded the answer, but only by dropping values its types cannot hold.
			if ws := cloud.DecodeWarnings(through); len(ws) > 0 {
				dropped := &findings.DroppedValues{}
				for _, w := range ws {
					dropped.Paths = append(dropped.Paths, w.Path)
					dropped.Details = append(dropped.Details, fmt.Sprintf("the SDK drops it (a %s where the document declares %s) and decodes the rest", w.Got, w.Want))
				}
				return dropped
			}
			return nil
		}
	}
	return out, nil
}

// countedAnswer is carried by a request's context: it builds the answer afresh for every
// attempt and counts them, so that a retry of an error answer shows.
type countedAnswer struct {
	build    func() *http.Response
	attempts *int
}

type countedKey struct{}

type counting struct{}

func (counting) RoundTrip(r *http.Request) (*http.Response, error) {
	a, ok := r.Context().Value(countedKey{}).(countedAnswer)
	if !ok {
		return nil, fmt.Errorf("conformance: no canned answer for %s", r.URL.Path)
	}
	*a.attempts++
	resp := a.build()
	resp.Request = r
	return resp, nil
}

// errorClient is package cloud with its retry policy (waits shortened: an error answer that is
// retried must show as attempts, not as a slow test) and no rate limiter.
var errorClient = sync.OnceValues(func() (*cloud.Client, error) {
	p := cloud.DefaultRetryPolicy()
	p.BaseDelay, p.MaxDelay = time.Millisecond, time.Millisecond
	return cloud.New(cloud.WithCredentials("conformance", "classifier"), cloud.WithBaseURL(sdkHost),
		cloud.WithHTTPClient(&http.Client{Transport: counting{}}), cloud.WithoutRateLimit(), cloud.WithRetryPolicy(p))
})

// SDKErrorView says what package cloud makes of an error answer: the APIError it gives its
// caller, how that classifies (IsNotFound, IsRouteNotFound, IsUnauthorized) and how many
// times it sent the request.
func SDKErrorView(method string, status int, header http.Header, body []byte) (findings.SDKView, error) {
	c, err := errorClient()
	if err != nil {
		return findings.SDKView{}, err
	}
	attempts := 0
	build := func() *http.Response {
		return &http.Response{StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)),
			Header: header.Clone(), Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body))}
	}
	ctx := context.WithValue(context.Background(), countedKey{}, countedAnswer{build: build, attempts: &attempts})
	req, err := http.NewRequestWithContext(ctx, method, sdkHost+"/v1/organizations", nil)
	if err != nil {
		return findings.SDKView{}, err
	}
	var apiErr *cloud.APIError
	resp, err := c.HTTPClient().Do(req)
	switch {
	case err != nil && !errors.As(err, &apiErr):
		return findings.SDKView{}, err
	case err == nil:
		raw, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		if rerr != nil {
			return findings.SDKView{}, rerr
		}
		apiErr = cloud.ParseAPIError(resp.StatusCode, resp.Header, raw)
	}
	return findings.SDKView{Code: apiErr.Code, Message: apiErr.Message, NotFound: cloud.IsNotFound(apiErr),
		RouteNotFound: cloud.IsRouteNotFound(apiErr), Unauthorized: cloud.IsUnauthorized(apiErr), Attempts: attempts}, nil
}
