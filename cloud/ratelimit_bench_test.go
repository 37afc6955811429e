package cloud_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/cloudtest"
)

// statusCounter counts the answers of every attempt, under the SDK's transport chain.
type statusCounter struct {
	next     http.RoundTripper
	tooMany  atomic.Int32
	attempts atomic.Int32
}

func (c *statusCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.attempts.Add(1)
	resp, err := c.next.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		c.tooMany.Add(1)
	}
	return resp, err
}

// BenchmarkRateLimitBudget is the rate-limit target of issue 12 in real time, against the fake
// server's fixed window (scaled: 200 ms instead of 10 s): 200 GETs by 1 and by 10 goroutines
// sharing one client, with the server allowing 10 and 40 per window, for the adaptive limiter
// and the fixed limiter of SDK 0.1 side by side. Both clients are configured with the
// documented budget (10 per window). Run it with -benchtime=1x:
//
//	go test ./cloud/ -run '^$' -bench RateLimitBudget -benchtime=1x
//
// x-ideal is the time taken over the least time the server's budget allows (the last call
// goes out at the start of window ceil(200/limit)).
func BenchmarkRateLimitBudget(b *testing.B) {
	const calls, window = 200, 200 * time.Millisecond
	for _, limit := range []int{10, 40} {
		for _, callers := range []int{1, 10} {
			for _, fixed := range []bool{false, true} {
				name := fmt.Sprintf("limit=%d/callers=%d/%s", limit, callers, map[bool]string{false: "adaptive", true: "fixed"}[fixed])
				b.Run(name, func(b *testing.B) {
					var ratio float64
					var tooMany, errs int
					for b.Loop() {
						r, m, e := runBudgetWorkload(b, calls, callers, limit, window, fixed)
						ratio, tooMany, errs = r, tooMany+m, errs+e
					}
					b.ReportMetric(ratio, "x-ideal")
					b.ReportMetric(float64(tooMany)/float64(b.N), "429s/op")
					b.ReportMetric(float64(errs)/float64(b.N), "errors/op")
				})
			}
		}
	}
}

func runBudgetWorkload(b *testing.B, calls, callers, limit int, window time.Duration, fixed bool) (ratio float64, tooMany, errs int) {
	srv := cloudtest.NewServer(cloudtest.WithRateLimit(limit, window))
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	counter := &statusCounter{next: tr}
	opts := []cloud.Option{
		cloud.WithCredentials(srv.KeyID, srv.KeySecret),
		cloud.WithBaseURL(srv.URL),
		cloud.WithHTTPClient(&http.Client{Transport: counter}),
		cloud.WithRateLimit(10, window),
	}
	if fixed {
		opts = append(opts, cloud.WithFixedRateLimit())
	}
	c, err := cloud.New(opts...)
	if err != nil {
		b.Fatal(err)
	}
	var next, failed atomic.Int32
	var wg sync.WaitGroup
	start := time.Now()
	for range callers {
		wg.Go(func() {
			for next.Add(1) <= int32(calls) {
				if err := cloud.Check(c.OrganizationGetListWithResponse(context.Background())); err != nil {
					failed.Add(1)
					b.Logf("error reached the caller: %v", err)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	ideal := time.Duration(int(math.Ceil(float64(calls)/float64(limit)))-1) * window
	return float64(elapsed) / float64(ideal), int(counter.tooMany.Load()), int(failed.Load())
}
