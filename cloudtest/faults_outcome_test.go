package cloudtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestFaultsThatLoseACreatesAnswer: Drop, Truncate and a Delay the client does not wait for all
// let the create happen and lose its answer, so a client's recovery (look for what it asked to
// create) can be tested against them. Over a real connection, since the point is the network.
func TestFaultsThatLoseACreatesAnswer(t *testing.T) {
	for _, tc := range []struct {
		name    string
		op      string
		path    string
		body    string
		list    string
		fault   Fault
		timeout time.Duration
		wantErr func(error) bool
		cutOff  bool
	}{
		{name: "drop service create", op: "instanceCreate", path: "/services", list: "/services",
			body: `{"name":"lost","provider":"aws","region":"us-east-1"}`, fault: Fault{Drop: true, Times: 1},
			wantErr: func(err error) bool { return errors.Is(err, io.EOF) || strings.Contains(err.Error(), "EOF") }},
		{name: "drop key create", op: "openapiKeyCreate", path: "/keys", list: "/keys",
			body: `{"name":"lost","roles":["developer"]}`, fault: Fault{Drop: true, Status: 500, Times: 1},
			wantErr: func(err error) bool { return err != nil }},
		{name: "truncate key create", op: "openapiKeyCreate", path: "/keys", list: "/keys",
			body: `{"name":"lost","roles":["developer"]}`, fault: Fault{Truncate: true, Times: 1}, cutOff: true},
		{name: "truncate role create", op: "organizationRolePost", path: "/roles", list: "/roles",
			body: `{"name":"lost","actors":[],"policies":[]}`, fault: Fault{Truncate: true, Times: 1}, cutOff: true},
		{name: "delay invitation create past the client's timeout", op: "invitationCreate", path: "/invitations", list: "/invitations",
			body: `{"email":"lost@example.com","role":"developer"}`, fault: Fault{Delay: 5 * time.Second, Times: 1}, timeout: 200 * time.Millisecond,
			wantErr: func(err error) bool { return errors.Is(err, context.DeadlineExceeded) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewServer(WithFault(tc.op, tc.fault))
			defer s.Close()
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			hc := &http.Client{Transport: tr}
			base := s.URL + "/v1/organizations/" + s.OrganizationID
			ctx := context.Background()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+tc.path, strings.NewReader(tc.body))
			req.SetBasicAuth(s.KeyID, s.KeySecret)
			req.Header.Set("Content-Type", "application/json")
			resp, err := hc.Do(req)
			if tc.cutOff {
				if err != nil {
					t.Fatalf("no answer at all: %v", err)
				}
				body, rerr := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || !errors.Is(rerr, io.ErrUnexpectedEOF) || json.Valid(body) || len(body) == 0 {
					t.Fatalf("status %d, read error %v, %d bytes: want 200 with a body cut off", resp.StatusCode, rerr, len(body))
				}
			} else {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("got an answer (status %d), want it lost", resp.StatusCode)
				}
				if !tc.wantErr(err) {
					t.Errorf("err = %v", err)
				}
			}
			// The operation ran: what it created is listed.
			wantName := "lost"
			if tc.op == "invitationCreate" {
				wantName = "lost@example.com"
			}
			deadline := time.Now().Add(2 * time.Second)
			for {
				list := listAll(t, hc, s, base+tc.list)
				if bytes.Contains(list, []byte(`"`+wantName+`"`)) {
					break
				}
				if time.Now().After(deadline) { // the delayed create runs before the delay
					t.Fatalf("the create did not happen: %s", list)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

func listAll(t *testing.T, hc *http.Client, s *Server, url string) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.SetBasicAuth(s.KeyID, s.KeySecret)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("list: status %d: %s", resp.StatusCode, body)
	}
	return body
}
