package cloudtest

import (
	"io"
	"net/http"
	"runtime"
	"testing"
	"time"
)

// BenchmarkGetServiceLoopback measures GET requests per second over loopback HTTP (rate
// limiting off), with as many parallel keep-alive clients as GOMAXPROCS x 4.
func BenchmarkGetServiceLoopback(b *testing.B) {
	s := NewServer(WithProvisioningDelay(0))
	defer s.Close()
	res := mustResult(b, s, 200, "POST", "/v1/organizations/"+s.OrganizationID+"/services",
		map[string]any{"name": "bench", "provider": "aws", "region": "us-east-1"})
	url := s.URL + "/v1/organizations/" + s.OrganizationID + "/services/" + res["service"].(map[string]any)["id"].(string)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ReportAllocs()
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", url, nil)
			req.SetBasicAuth(s.KeyID, s.KeySecret)
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkCreateService measures one service creation through the handler (no network).
func BenchmarkCreateService(b *testing.B) {
	s := newTestServer(b)
	path := "/v1/organizations/" + s.OrganizationID + "/services"
	body := map[string]any{"name": "bench", "provider": "aws", "region": "us-east-1"}
	b.ReportAllocs()
	for b.Loop() {
		if resp, raw := call(b, s, "POST", path, body); resp.StatusCode != 200 {
			b.Fatalf("%d %s", resp.StatusCode, raw)
		}
	}
}

// BenchmarkMemoryPerService stores 10,000 services and reports the heap they take, per service.
func BenchmarkMemoryPerService(b *testing.B) {
	const n = 10000
	b.ReportAllocs()
	for b.Loop() {
		clock := NewManualClock(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC))
		s := newTestServer(b, WithClock(clock))
		path := "/v1/organizations/" + s.OrganizationID + "/services"
		body := map[string]any{"name": "bench", "provider": "aws", "region": "us-east-1"}
		call(b, s, "POST", path, body) // synthesizes the template outside the measurement
		before := heapInUse()
		for range n {
			if resp, _ := call(b, s, "POST", path, body); resp.StatusCode != 200 {
				b.Fatal(resp.StatusCode)
			}
		}
		after := heapInUse()
		b.ReportMetric(float64(after-before)/n, "B/service")
		runtime.KeepAlive(s)
	}
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
