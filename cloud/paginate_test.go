package cloud

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// udfServer serves total UDFs in pages, with cursors "c<offset>".
func udfServer(t *testing.T, total int, failAt string) (*httptest.Server, *[]string) {
	var mu sync.Mutex
	var cursors []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cursor := r.URL.Query().Get("cursor")
		mu.Lock()
		cursors = append(cursors, cursor)
		mu.Unlock()
		if cursor == failAt && failAt != "" {
			writeJSON(w, 400, `{"status":400,"error":"BAD_REQUEST: Invalid cursor"}`)
			return
		}
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		if limit == 0 {
			limit = 100
		}
		offset, _ := strconv.Atoi(strings.TrimPrefix(cursor, "c"))
		var items []string
		for i := offset; i < min(offset+limit, total); i++ {
			items = append(items, fmt.Sprintf(`{"functionName":"f%d","version":1}`, i))
		}
		next := "null"
		if offset+limit < total {
			next = fmt.Sprintf(`"c%d"`, offset+limit)
		}
		writeJSON(w, 200, fmt.Sprintf(`{"status":200,"requestId":"r","result":{"items":[%s],"pagination":{"currentCursor":null,"limit":%d,"nextCursor":%s}}}`,
			strings.Join(items, ","), limit, next))
	}))
	t.Cleanup(srv.Close)
	return srv, &cursors
}

func TestUDFsIteratesAllPages(t *testing.T) {
	srv, cursors := udfServer(t, 250, "")
	c := newTestClient(t, srv)
	var names []string
	for udf, err := range c.UDFs(context.Background(), testOrg, 100) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, udf.FunctionName)
	}
	if len(names) != 250 || names[0] != "f0" || names[249] != "f249" {
		t.Errorf("got %d items (%v...)", len(names), names[:min(3, len(names))])
	}
	if got := strings.Join(*cursors, ","); got != ",c100,c200" {
		t.Errorf("cursors sent: %q", got)
	}
}

func TestUDFsStopsFetchingWhenTheLoopStops(t *testing.T) {
	srv, cursors := udfServer(t, 250, "")
	c := newTestClient(t, srv)
	n := 0
	for _, err := range c.UDFs(context.Background(), testOrg, 50) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 60 {
			break
		}
	}
	if len(*cursors) != 2 {
		t.Errorf("fetched %d pages for 60 items of 50 per page", len(*cursors))
	}
}

func TestUDFsYieldsTheErrorOnce(t *testing.T) {
	srv, _ := udfServer(t, 250, "c100")
	c := newTestClient(t, srv)
	items, errs := 0, 0
	for _, err := range c.UDFs(context.Background(), testOrg, 100) {
		if err != nil {
			errs++
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != 400 {
				t.Errorf("err = %v", err)
			}
			continue
		}
		items++
	}
	if items != 100 || errs != 1 {
		t.Errorf("%d items and %d errors, want 100 and 1", items, errs)
	}
}

func TestPaginateStopsOnARepeatedCursor(t *testing.T) {
	calls := 0
	seq := Paginate(context.Background(), func(ctx context.Context, cursor string) (Page[int], error) {
		calls++
		return Page[int]{Items: []int{calls}, NextCursor: "same"}, nil
	})
	n := 0
	for range seq {
		n++
	}
	if n != 2 || calls != 2 {
		t.Errorf("%d items from %d calls: a repeated cursor must end the sequence", n, calls)
	}
}
