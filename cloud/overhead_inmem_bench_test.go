package cloud

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
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
	hc := &http.Client{Transport: cannedTransport{body}}
	b.Run("generated", func(b *testing.B) {
		gen, _ := cloudapi.NewClientWithResponses("http://api.test", cloudapi.WithHTTPClient(hc))
		b.ReportAllocs()
		for b.Loop() {
			if r, err := gen.InstanceGetWithResponse(context.Background(), testOrg, "svc-1"); err != nil || r.JSON200 == nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cloud", func(b *testing.B) {
		c, err := New(WithCredentials(testKeyID, testKeySecret), WithBaseURL("http://api.test"), WithHTTPClient(hc), WithoutRateLimit())
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Result[*cloudapi.Service](c.InstanceGetWithResponse(context.Background(), testOrg, "svc-1")); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkOverheadInMemoryList200 is BenchmarkOverheadInMemory for a list of 200 services.
func BenchmarkOverheadInMemoryList200(b *testing.B) {
	items := make([][]byte, 200)
	for i := range items {
		items[i] = []byte(realisticService(i))
	}
	body := []byte(`{"status":200,"requestId":"8f1c2a4e-0000-4d3e-9b1a-5c6d7e8f9a0b","result":[` + string(bytes.Join(items, []byte(","))) + `]}`)
	hc := &http.Client{Transport: cannedTransport{body}}
	b.Run("generated", func(b *testing.B) {
		gen, _ := cloudapi.NewClientWithResponses("http://api.test", cloudapi.WithHTTPClient(hc))
		b.ReportAllocs()
		for b.Loop() {
			if r, err := gen.InstanceGetListWithResponse(context.Background(), testOrg, nil); err != nil || r.JSON200 == nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cloud", func(b *testing.B) {
		c, err := New(WithCredentials(testKeyID, testKeySecret), WithBaseURL("http://api.test"), WithHTTPClient(hc), WithoutRateLimit())
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Result[[]cloudapi.Service](c.InstanceGetListWithResponse(context.Background(), testOrg, nil)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
