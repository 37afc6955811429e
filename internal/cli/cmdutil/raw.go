package cmdutil

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

// RawResponse is the answer to a request sent with Do.
type RawResponse struct {
	StatusCode  int
	ContentType string
	Body        []byte
}

// rawClient is the generated client underneath the SDK: its doer carries the SDK's
// authentication, rate limiting and retries, and its request editors add what every request gets.
func rawClient(c *cloud.Client) (*cloudapi.Client, error) {
	raw, ok := c.ClientWithResponses.ClientInterface.(*cloudapi.Client)
	if !ok {
		return nil, fmt.Errorf("internal error: the SDK client is not a *cloudapi.Client")
	}
	return raw, nil
}

// Do sends one request to a path of the API (e.g. "/v1/organizations/...?...") through the SDK,
// for `chcloud api`. An error status becomes a *cloud.APIError, like every typed call.
func (f *Factory) Do(ctx context.Context, method, path string, header http.Header, body []byte) (*RawResponse, error) {
	c, err := f.Client()
	if err != nil {
		return nil, err
	}
	raw, err := rawClient(c)
	if err != nil {
		return nil, err
	}
	req, err := newRequest(ctx, raw, method, path, header, body)
	if err != nil {
		return nil, err
	}
	resp, err := raw.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	out := &RawResponse{StatusCode: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: respBody}
	if resp.StatusCode >= 400 {
		return out, apiError(method, req.URL.String(), resp, respBody)
	}
	return out, nil
}

// RequestPreview returns the URL and headers a request to path would carry (for --dry-run).
func (f *Factory) RequestPreview(ctx context.Context, method, path string, header http.Header) (string, http.Header, error) {
	c, err := f.Client()
	if err != nil {
		return "", nil, err
	}
	raw, err := rawClient(c)
	if err != nil {
		return "", nil, err
	}
	req, err := newRequest(ctx, raw, method, path, header, nil)
	if err != nil {
		return "", nil, err
	}
	return req.URL.String(), req.Header, nil
}

func newRequest(ctx context.Context, raw *cloudapi.Client, method, path string, header http.Header, body []byte) (*http.Request, error) {
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(raw.Server, "/")+path, reader)
	if err != nil {
		return nil, UsageErrorf("building the request: %w", err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	for _, edit := range raw.RequestEditors {
		if err := edit(ctx, req); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// apiError turns an error answer into the SDK's error type, as typed calls do.
func apiError(method, url string, resp *http.Response, body []byte) error {
	// ParseResponseError also says how often the SDK sent the request (for the rate-limit hint).
	e := cloud.ParseResponseError(resp, body)
	e.Method, e.URL = method, url
	return e
}
