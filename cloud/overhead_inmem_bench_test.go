package cloud

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

// cannedTransport answers every request with the same body, without a network, so the SDK's own
// CPU cost can be seen apart from loopback noise.
type cannedTransport struct{ body []byte }

func (t cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Request: r, ContentLength: int64(len(t.body)),
		Header: http.Header{"Content-Type": {"application/json"}, "Content-Length": {strconv.Itoa(len(t.body))}},
		Body:   io.NopCloser(bytes.NewReader(t.body))}, nil
}

func BenchmarkOverheadInMemory(b *testing.B) {
	body := []byte(`{"status":200,"requestId":"8f1c2a4e-0000-4d3e-9b1a-5c6d7e8f9a0b","result":` + realisticService(1) + `}`)
	benchmarkInMemory(b, body,
		func(gen *cloudapi.ClientWithResponses) error {
			r, err := gen.InstanceGetWithResponse(context.Background(), testOrg, "svc-1")
			if err == nil && r.JSON200 == nil {
				err = errors.New("no JSON200")
			}
			return err
		},
		func(c *Client) error {
			_, err := Result(c.InstanceGetWithResponse(context.Background(), testOrg, "svc-1"))
			return err
		})
}

// BenchmarkOverheadInMemoryList200 is BenchmarkOverheadInMemory for a list of 200 services.
func BenchmarkOverheadInMemoryList200(b *testing.B) {
	items := make([]string, 200)
	for i := range items {
		items[i] = realisticService(i)
	}
	body := []byte(`{"status":200,"requestId":"8f1c2a4e-0000-4d3e-9b1a-5c6d7e8f9a0b","result":[` + strings.Join(items, ",") + `]}`)
	benchmarkInMemory(b, body,
		func(gen *cloudapi.ClientWithResponses) error {
			r, err := gen.InstanceGetListWithResponse(context.Background(), testOrg, nil)
			if err == nil && r.JSON200 == nil {
				err = errors.New("no JSON200")
			}
			return err
		},
		func(c *Client) error {
			_, err := Result(c.InstanceGetListWithResponse(context.Background(), testOrg, nil))
			return err
		})
}

// benchmarkInMemory runs one call through the bare generated client and through the SDK, both
// answered with body by cannedTransport.
func benchmarkInMemory(b *testing.B, body []byte, viaGenerated func(*cloudapi.ClientWithResponses) error, viaSDK func(*Client) error) {
	hc := &http.Client{Transport: cannedTransport{body}}
	b.Run("generated", func(b *testing.B) {
		gen, err := cloudapi.NewClientWithResponses("http://api.test", cloudapi.WithHTTPClient(hc))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := viaGenerated(gen); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cloud", func(b *testing.B) {
		c, err := New(WithCredentials(testKeyID, testKeySecret), WithBaseURL("http://api.test"), WithInsecureHTTP(), WithHTTPClient(hc), WithoutRateLimit())
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := viaSDK(c); err != nil {
				b.Fatal(err)
			}
		}
	})
}
