package cloud

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

// realisticService is a service object with the fields the API returns today.
func realisticService(i int) string {
	return fmt.Sprintf(`{"id":"5d6f0b2e-%04d-4c1a-9a53-6b2d3f0c%04d","name":"analytics-%d","provider":"aws","region":"us-east-1",`+
		`"state":"running","clickhouseVersion":"25.8.1.3","endpoints":[{"protocol":"nativesecure","host":"abc%d.us-east-1.aws.clickhouse.cloud","port":9440},`+
		`{"protocol":"https","host":"abc%d.us-east-1.aws.clickhouse.cloud","port":8443}],"tier":"production","minTotalMemoryGb":24,"maxTotalMemoryGb":360,`+
		`"minReplicaMemoryGb":8,"maxReplicaMemoryGb":120,"numReplicas":3,"idleScaling":true,"idleTimeoutMinutes":15,`+
		`"ipAccessList":[{"source":"0.0.0.0/0","description":"anywhere"}],"createdAt":"2025-03-04T10:11:12Z","iamRole":"arn:aws:iam::123456789012:role/CH-%d",`+
		`"privateEndpointIds":[],"availablePrivateEndpointIds":[],"dataWarehouseId":"dw-%d","isPrimary":true,"isReadonly":false,`+
		`"releaseChannel":"default","byocId":null,"hasTransparentDataEncryption":false,"profile":"v1-default","complianceType":null,`+
		`"tags":[{"key":"team","value":"data"},{"key":"env","value":"prod"}],"autoscalingMode":"vertical",`+
		`"currentScaling":{"effectiveAutoscalingMode":"vertical"}}`, i, i, i, i, i, i, i)
}

func benchServer(b *testing.B, body string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkOverhead compares one call through cloud.Client (Result included) with the same call
// made with net/http and encoding/json into the same generated type, against the same server.
func BenchmarkOverhead(b *testing.B) {
	list := make([]string, 200)
	for i := range list {
		list[i] = realisticService(i)
	}
	cases := []struct {
		name, path, body string
		viaSDK           func(c *Client) error
		decode           func(data []byte) error
	}{
		{"ServiceGet", "/v1/organizations/org-1/services/svc-1",
			`{"status":200,"requestId":"8f1c2a4e-0000-4d3e-9b1a-5c6d7e8f9a0b","result":` + realisticService(1) + `}`,
			func(c *Client) error {
				_, err := Result(c.InstanceGetWithResponse(context.Background(), testOrg, "svc-1"))
				return err
			},
			func(data []byte) error {
				var env cloudapi.InstanceGet200JSONResponseBody
				return json.Unmarshal(data, &env)
			}},
		{"ServiceList200", "/v1/organizations/org-1/services",
			`{"status":200,"requestId":"8f1c2a4e-0000-4d3e-9b1a-5c6d7e8f9a0b","result":[` + strings.Join(list, ",") + `]}`,
			func(c *Client) error {
				_, err := Result(c.InstanceGetListWithResponse(context.Background(), testOrg, nil))
				return err
			},
			func(data []byte) error {
				var env cloudapi.InstanceGetList200JSONResponseBody
				return json.Unmarshal(data, &env)
			}},
	}
	for _, tc := range cases {
		srv := benchServer(b, tc.body)
		tr := &http.Transport{}
		b.Cleanup(tr.CloseIdleConnections)
		hc := &http.Client{Transport: tr}
		raw := func(b *testing.B) {
			req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+tc.path, nil)
			if err != nil {
				b.Fatal(err)
			}
			req.SetBasicAuth(testKeyID, testKeySecret)
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			data, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 {
				b.Fatal(err, resp.StatusCode)
			}
			if err := tc.decode(data); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(tc.name+"/raw", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				raw(b)
			}
		})
		gen, err := cloudapi.NewClientWithResponses(srv.URL, cloudapi.WithHTTPClient(hc))
		if err != nil {
			b.Fatal(err)
		}
		generated := func(b *testing.B) {
			if tc.name == "ServiceList200" {
				list, err := gen.InstanceGetListWithResponse(context.Background(), testOrg, nil)
				if err != nil || list.JSON200 == nil {
					b.Fatal(err)
				}
				return
			}
			resp, err := gen.InstanceGetWithResponse(context.Background(), testOrg, "svc-1")
			if err != nil || resp.JSON200 == nil {
				b.Fatal(err)
			}
		}
		// generated is the bare generated client on the same transport: the part of the
		// overhead that is oapi-codegen's (request building, parsing into the wrapper).
		b.Run(tc.name+"/generated", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				generated(b)
			}
		})
		// roundrobin makes one raw call, one generated-client call and one SDK call per
		// iteration, in a random order, so that load from other processes on this shared
		// machine falls on all three alike. It reports the median time of each and the ratios
		// of the medians: medians ignore the spikes that make plain ns/op swing by 2x here.
		b.Run(tc.name+"/roundrobin", func(b *testing.B) {
			c := newTestClient(b, srv, WithoutRateLimit(), withClock(realClock{}))
			if err := tc.viaSDK(c); err != nil {
				b.Fatal(err)
			}
			calls := []func(){func() { raw(b) }, func() { generated(b) }, func() {
				if err := tc.viaSDK(c); err != nil {
					b.Fatal(err)
				}
			}}
			times := make([][]time.Duration, len(calls))
			order := []int{0, 1, 2}
			shuffle := rand.New(rand.NewPCG(1, 2))
			for b.Loop() {
				// A fresh random order each time: with a fixed rotation each call would always
				// follow the same other call and inherit its garbage collection debt.
				shuffle.Shuffle(len(order), func(x, y int) { order[x], order[y] = order[y], order[x] })
				for _, j := range order {
					t0 := time.Now()
					calls[j]()
					times[j] = append(times[j], time.Since(t0))
				}
			}
			rawMedian, genMedian, sdkMedian := median(times[0]), median(times[1]), median(times[2])
			b.ReportMetric(float64(rawMedian.Nanoseconds()), "raw-ns")
			b.ReportMetric(float64(genMedian.Nanoseconds()), "generated-ns")
			b.ReportMetric(float64(sdkMedian.Nanoseconds()), "sdk-ns")
			b.ReportMetric(float64(sdkMedian)/float64(rawMedian), "sdk/raw")
			b.ReportMetric(float64(sdkMedian)/float64(genMedian), "sdk/generated")
		})
		for _, sdk := range []struct {
			name string
			opts []Option
		}{
			{"cloud", []Option{WithoutRateLimit(), withClock(realClock{})}},
			{"cloud+limiter", []Option{WithRateLimit(1<<30, time.Second), withClock(realClock{})}},
		} {
			b.Run(tc.name+"/"+sdk.name, func(b *testing.B) {
				c := newTestClient(b, srv, sdk.opts...)
				if err := tc.viaSDK(c); err != nil { // warm up: links the answer's shape once
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := tc.viaSDK(c); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// fixedWindowServer enforces limit requests per window, like the real API's fixed window: it
// answers 429 with X-RateLimit-Reset beyond that, and sends the budget headers on every answer.
type fixedWindowServer struct {
	now    func() time.Time
	limit  int
	window time.Duration

	mu          sync.Mutex
	windowStart time.Time
	used        int
	served      atomic.Int32
	rejected    atomic.Int32
}

func (s *fixedWindowServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	now := s.now()
	if s.windowStart.IsZero() || now.Sub(s.windowStart) >= s.window {
		s.windowStart, s.used = now, 0
	}
	s.used++
	used := s.used
	reset := s.window - now.Sub(s.windowStart)
	s.mu.Unlock()
	w.Header().Set("X-RateLimit-Limit", strconv.Itoa(s.limit))
	w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(max(0, s.limit-used)))
	w.Header().Set("X-RateLimit-Reset", strconv.FormatFloat(reset.Seconds(), 'f', 3, 64))
	w.Header().Set("X-RateLimit-Policy", fmt.Sprintf("%d;w=%g;comment=\"fixed window\"", s.limit, s.window.Seconds()))
	if used > s.limit {
		s.rejected.Add(1)
		writeJSON(w, 429, `{"error":"TOO_MANY_REQUESTS"}`)
		return
	}
	s.served.Add(1)
	writeJSON(w, 200, serviceBody("s", "running"))
}

// idealDuration is the least time calls can take under the window: the last call goes out at
// the start of its window.
func idealDuration(calls, limit int, window time.Duration) time.Duration {
	return time.Duration(int(math.Ceil(float64(calls)/float64(limit)))-1) * window
}

// runWindowWorkload makes calls sequential GETs and returns how many errors reached the caller.
func runWindowWorkload(tb testing.TB, c *Client, calls int) (errs int) {
	for range calls {
		if err := Check(c.InstanceGetWithResponse(context.Background(), testOrg, "s")); err != nil {
			errs++
			tb.Logf("error reached the caller: %v", err)
		}
	}
	return errs
}

// TestRateLimitEfficiencyOnAFakeClock is the rate-limit target with time simulated: 200 calls
// under a 20 per 200 ms fixed window, with the limiter set to that budget and with it off.
func TestRateLimitEfficiencyOnAFakeClock(t *testing.T) {
	for _, limiter := range []bool{true, false} {
		clk := newFakeClock()
		s := &fixedWindowServer{now: clk.Now, limit: 20, window: 200 * time.Millisecond}
		srv := httptest.NewServer(s)
		opts := []Option{withClock(clk)}
		if limiter {
			opts = append(opts, WithRateLimit(20, 200*time.Millisecond))
		}
		c := newTestClient(t, srv, opts...)
		start := clk.Now()
		errs := runWindowWorkload(t, c, 200)
		ratio := float64(clk.Now().Sub(start)) / float64(idealDuration(200, 20, 200*time.Millisecond))
		t.Logf("limiter=%v: %.3fx ideal, %d 429s at the server, %d errors to the caller", limiter, ratio, s.rejected.Load(), errs)
		if errs != 0 || s.served.Load() != 200 {
			t.Errorf("limiter=%v: %d errors, %d served", limiter, errs, s.served.Load())
		}
		if limiter && (ratio > 1.05 || s.rejected.Load() != 0) {
			t.Errorf("limiter on: %.3fx ideal with %d 429s, want at most 1.05x and none", ratio, s.rejected.Load())
		}
		srv.Close()
	}
}

// BenchmarkRateLimitEfficiency is the same workload in real time; run it with -benchtime=1x.
func BenchmarkRateLimitEfficiency(b *testing.B) {
	for _, limiter := range []bool{true, false} {
		b.Run(map[bool]string{true: "limiter", false: "no-limiter"}[limiter], func(b *testing.B) {
			var ratio float64
			var rejected, errs int
			for b.Loop() {
				s := &fixedWindowServer{now: time.Now, limit: 20, window: 200 * time.Millisecond}
				srv := httptest.NewServer(s)
				opts := []Option{withClock(realClock{})}
				if limiter {
					opts = append(opts, WithRateLimit(20, 200*time.Millisecond))
				}
				c := newTestClient(b, srv, opts...)
				start := time.Now()
				errs += runWindowWorkload(b, c, 200)
				ratio = float64(time.Since(start)) / float64(idealDuration(200, 20, 200*time.Millisecond))
				rejected += int(s.rejected.Load())
				srv.Close()
			}
			b.ReportMetric(ratio, "x-ideal")
			b.ReportMetric(float64(rejected)/float64(b.N), "429s-at-server/op")
			b.ReportMetric(float64(errs)/float64(b.N), "errors-to-caller/op")
		})
	}
}

// BenchmarkWaiterEconomy reports the waiter's polls and detection delay per provisioning time T
// (on the fake clock, so it runs instantly).
func BenchmarkWaiterEconomy(b *testing.B) {
	for _, T := range []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute} {
		b.Run("T="+T.String(), func(b *testing.B) {
			var polls int
			var delay time.Duration
			for b.Loop() {
				polls, delay = waiterRun(b, T)
			}
			b.ReportMetric(float64(polls), "polls")
			b.ReportMetric(delay.Seconds(), "s-detection-delay")
		})
	}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
