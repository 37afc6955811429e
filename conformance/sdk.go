package conformance

import (
	"context"
	"fmt"
	"net/http"
	"strings"

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
