package cloud_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/chcloud-dev/chcloud/cloud"
	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

// exampleAPI is a tiny stand-in for the ClickHouse Cloud API so the examples run with go test.
// Real programs leave out WithBaseURL (and usually WithCredentials, set through
// CLICKHOUSE_CLOUD_API_KEY and CLICKHOUSE_CLOUD_API_SECRET).
func exampleAPI() *httptest.Server {
	var mu sync.Mutex
	state := map[string]string{"svc-1": "running", "svc-2": "stopped"}
	deleteTries := 0
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		id := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		switch {
		case r.URL.Path == "/v1/organizations":
			fmt.Fprint(w, `{"status":200,"requestId":"r1","result":[{"id":"org-1","name":"acme"}]}`)
		case strings.HasSuffix(r.URL.Path, "/ratelimited"):
			w.Header().Set("X-RateLimit-Reset", "4")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":"TOO_MANY_REQUESTS"}`)
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/services"):
			fmt.Fprint(w, `{"status":200,"requestId":"r2","result":[{"id":"svc-1","name":"analytics","state":"running"},{"id":"svc-2","name":"staging","state":"stopped"}]}`)
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/services"):
			state["svc-3"] = "running" // provisioning is instant here
			fmt.Fprint(w, `{"status":200,"requestId":"r3","result":{"service":{"id":"svc-3","name":"new","state":"provisioning"},"password":"shown-once"}}`)
		case r.Method == http.MethodDelete:
			if deleteTries++; deleteTries == 1 { // like the real API, just after "stopped"
				w.WriteHeader(http.StatusConflict)
				fmt.Fprint(w, `{"status":409,"requestId":"r4","error":"CONFLICT: Service is not stopped yet"}`)
				return
			}
			delete(state, id)
			fmt.Fprint(w, `{"status":200,"requestId":"r5"}`)
		case r.Method == http.MethodGet && state[id] != "":
			fmt.Fprintf(w, `{"status":200,"requestId":"r6","result":{"id":%q,"name":"svc","state":%q}}`, id, state[id])
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"status":404,"requestId":"r7","error":"NOT_FOUND: Service not found"}`)
		}
	}))
}

// List the services of the key's organization.
func Example_listServices() {
	api := exampleAPI()
	defer api.Close()

	c, err := cloud.New(cloud.WithCredentials("key-id", "key-secret"), cloud.WithBaseURL(api.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	orgID, err := c.OrganizationID(ctx)
	if err != nil {
		log.Fatal(err)
	}
	services, err := cloud.Result(c.InstanceGetListWithResponse(ctx, orgID, nil))
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range services {
		fmt.Println(*s.ID, *s.Name, *s.State)
	}
	// Output:
	// svc-1 analytics running
	// svc-2 staging stopped
}

// Create a service and wait until it is running.
func Example_createAndWait() {
	api := exampleAPI()
	defer api.Close()
	c, err := cloud.New(cloud.WithCredentials("key-id", "key-secret"), cloud.WithBaseURL(api.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Minute)
	defer cancel()

	created, err := cloud.Result(c.InstanceCreateWithResponse(ctx, "org-1",
		cloudapi.InstanceCreateJSONRequestBody{Name: ptr("new"), Provider: ptr(cloudapi.ServicePostRequestProviderAWS), Region: ptr(cloudapi.ServicePostRequestRegionUsEast1)}))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created", *created.Service.ID, "in state", *created.Service.State)

	svc, err := c.WaitForServiceState(ctx, "org-1", *created.Service.ID,
		[]cloudapi.ServiceState{cloudapi.ServiceStateRunning},
		cloud.WithProgress(func(state string, elapsed time.Duration) { /* show progress */ }))
	var failed *cloud.StateError
	if errors.As(err, &failed) {
		log.Fatalf("service ended up %s", failed.State)
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*svc.ID, "is", *svc.State)
	// Output:
	// created svc-3 in state provisioning
	// svc-3 is running
}

// Delete a service safely: stop it, wait for stopped, repeat DELETE while the API answers 409,
// then wait until it is gone.
func Example_deleteSafely() {
	api := exampleAPI()
	defer api.Close()
	c, err := cloud.New(cloud.WithCredentials("key-id", "key-secret"), cloud.WithBaseURL(api.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	// Short poll intervals because the example server is instant; leave the defaults otherwise.
	err = c.DeleteService(ctx, "org-1", "svc-2", cloud.WithPollInterval(10*time.Millisecond, 10*time.Millisecond))
	fmt.Println("deleted:", err == nil)

	_, err = cloud.Result(c.InstanceGetWithResponse(ctx, "org-1", "svc-2"))
	fmt.Println("not found afterwards:", cloud.IsNotFound(err))
	// Output:
	// deleted: true
	// not found afterwards: true
}

// Handle a rate limit that outlasted the retries.
func Example_rateLimitError() {
	api := exampleAPI()
	defer api.Close()
	c, err := cloud.New(cloud.WithCredentials("key-id", "key-secret"), cloud.WithBaseURL(api.URL),
		cloud.WithRetryPolicy(cloud.RetryPolicy{MaxAttempts: 1})) // no retries, to show the error
	if err != nil {
		log.Fatal(err)
	}
	_, err = cloud.Result(c.InstanceGetWithResponse(context.Background(), "org-1", "ratelimited"))
	var apiErr *cloud.APIError
	if cloud.IsRateLimited(err) && errors.As(err, &apiErr) {
		fmt.Println(apiErr)
		fmt.Println("retry after", apiErr.RetryAfter)
	}
	// Output:
	// TOO_MANY_REQUESTS (status 429)
	// retry after 4s
}

// Read a list in which one element has a value the generated types cannot hold: the list
// decodes, that field keeps its zero value, and DecodeWarnings says what was dropped.
func ExampleDecodeWarnings() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status":200,"requestId":"r1","result":[`+
			`{"id":"svc-1","name":"analytics","createdAt":"2025-03-04T10:11:12Z"},`+
			`{"id":"svc-2","name":"staging","createdAt":"2025-03-04 10:11"}]}`)
	}))
	defer api.Close()
	c, err := cloud.New(cloud.WithCredentials("key-id", "key-secret"), cloud.WithBaseURL(api.URL))
	if err != nil {
		log.Fatal(err)
	}
	resp, err := c.InstanceGetListWithResponse(context.Background(), "org-1", nil)
	services, err := cloud.Result(resp, err)
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range services {
		fmt.Println(*s.ID, "created", s.CreatedAt)
	}
	for _, w := range cloud.DecodeWarnings(resp) {
		fmt.Println("warning:", w)
	}
	// Output:
	// svc-1 created 2025-03-04 10:11:12 +0000 UTC
	// svc-2 created <nil>
	// warning: $.result[1].createdAt: dropped a string where the document declares date-time
}

// Every error answer is an *APIError, even a plain-text one the server labels JSON.
func ExampleAPIError_plainText() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, "Service must be in idle state to awake")
	}))
	defer api.Close()
	c, err := cloud.New(cloud.WithCredentials("key-id", "key-secret"), cloud.WithBaseURL(api.URL))
	if err != nil {
		log.Fatal(err)
	}
	err = cloud.Check(c.InstanceStateUpdateWithResponse(context.Background(), "org-1", "svc-1",
		cloudapi.InstanceStateUpdateJSONRequestBody{Command: ptr(cloudapi.ServiceStatePatchRequestCommandAwake)}))
	var apiErr *cloud.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.Message)
		fmt.Printf("raw body: %s\n", apiErr.Body)
	}
	// Output:
	// 400 BAD_REQUEST Service must be in idle state to awake
	// raw body: Service must be in idle state to awake
}

func ptr[T any](v T) *T { return &v }
