package cloud

import (
	"context"
	"iter"

	"github.com/chcloud-dev/chcloud/gen/cloudapi"
)

// Page is one page of a cursor-paginated list: its items and the cursor of the next page
// (empty on the last page).
type Page[T any] struct {
	Items      []T
	NextCursor string
}

// Paginate iterates over every item of a cursor-paginated list (`cursor` and `limit` parameters,
// `pagination.nextCursor` in the answer), fetching pages as the loop consumes them. fetch gets
// the cursor of the page to read ("" for the first). An error ends the sequence after being
// yielded once; stopping the loop early fetches no further page.
//
//	for udf, err := range cloud.Paginate(ctx, fetchPage) { ... }
func Paginate[T any](ctx context.Context, fetch func(ctx context.Context, cursor string) (Page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		cursor := ""
		seen := map[string]bool{}
		for {
			page, err := fetch(ctx, cursor)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range page.Items {
				if !yield(item, nil) {
					return
				}
			}
			// A server that hands back a cursor it already gave would loop forever.
			if page.NextCursor == "" || seen[page.NextCursor] {
				return
			}
			seen[page.NextCursor] = true
			cursor = page.NextCursor
		}
	}
}

func nextCursor(p cloudapi.Pagination) string {
	if next, err := p.NextCursor.Get(); err == nil {
		return next
	}
	return ""
}

func pageParams(cursor string, pageSize int) (*string, *int) {
	var c *string
	if cursor != "" {
		c = &cursor
	}
	var l *int
	if pageSize > 0 {
		l = &pageSize
	}
	return c, l
}

// UDFs iterates over the organization's user-defined functions, pageSize per request (0 for the
// server's default).
func (c *Client) UDFs(ctx context.Context, orgID string, pageSize int) iter.Seq2[cloudapi.UDF, error] {
	return Paginate(ctx, func(ctx context.Context, cursor string) (Page[cloudapi.UDF], error) {
		cur, limit := pageParams(cursor, pageSize)
		res, err := Result(c.UDFListWithResponse(ctx, orgID, &cloudapi.UDFListParams{Cursor: cur, Limit: limit}))
		return Page[cloudapi.UDF]{Items: res.Items, NextCursor: nextCursor(res.Pagination)}, err
	})
}

// UDFVersions iterates over the versions of one user-defined function.
func (c *Client) UDFVersions(ctx context.Context, orgID, functionName string, pageSize int) iter.Seq2[cloudapi.UDF, error] {
	return Paginate(ctx, func(ctx context.Context, cursor string) (Page[cloudapi.UDF], error) {
		cur, limit := pageParams(cursor, pageSize)
		res, err := Result(c.UDFVersionListWithResponse(ctx, orgID, functionName, &cloudapi.UDFVersionListParams{Cursor: cur, Limit: limit}))
		return Page[cloudapi.UDF]{Items: res.Items, NextCursor: nextCursor(res.Pagination)}, err
	})
}

// UDFAttachments iterates over the services a user-defined function is attached to.
func (c *Client) UDFAttachments(ctx context.Context, orgID, functionName string, pageSize int) iter.Seq2[cloudapi.UDFAttachment, error] {
	return Paginate(ctx, func(ctx context.Context, cursor string) (Page[cloudapi.UDFAttachment], error) {
		cur, limit := pageParams(cursor, pageSize)
		res, err := Result(c.UDFAttachmentListWithResponse(ctx, orgID, functionName, &cloudapi.UDFAttachmentListParams{Cursor: cur, Limit: limit}))
		return Page[cloudapi.UDFAttachment]{Items: res.Items, NextCursor: nextCursor(res.Pagination)}, err
	})
}
