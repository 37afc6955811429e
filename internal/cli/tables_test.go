package cli

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chcloud-dev/chcloud/internal/cli/backup"
	"github.com/chcloud-dev/chcloud/internal/cli/clickpipe"
	"github.com/chcloud-dev/chcloud/internal/cli/configcmd"
	"github.com/chcloud-dev/chcloud/internal/cli/invitation"
	"github.com/chcloud-dev/chcloud/internal/cli/key"
	"github.com/chcloud-dev/chcloud/internal/cli/member"
	"github.com/chcloud-dev/chcloud/internal/cli/org"
	"github.com/chcloud-dev/chcloud/internal/cli/output"
	"github.com/chcloud-dev/chcloud/internal/cli/postgres"
	"github.com/chcloud-dev/chcloud/internal/cli/role"
	"github.com/chcloud-dev/chcloud/internal/cli/service"
)

// Every table the commands print, written in output's column notation (Table.Spec). A malformed
// column panics when its table is printed, which fails this test; TestEveryTableRenders renders
// each table over a row with a value at each column's path, as a list and as one object: the headers
// come in order, every plain column shows its value, every section its rows, and no Format
// panics. (Which API field a path should name is checked by the commands' own tests.)
var everyTable = map[string]output.Table{
	"backup": backup.Table, "backup config": backup.ConfigTable, "clickpipe": clickpipe.Table,
	"config list": configcmd.ProfilesTable, "invitation": invitation.Table, "key": key.Table,
	"key audit": key.AuditTable, "member": member.Table, "org": org.Table, "org activities": org.ActivityTable,
	"org usage": org.UsageTable, "postgres": postgres.Table, "role": role.Table, "service": service.Table,
}

func TestEveryTableRenders(t *testing.T) {
	cellSep := regexp.MustCompile(`\s{2,}`)
	for name, table := range everyTable {
		row := map[string]any{}
		for i, c := range table.Cols() {
			if c.Path != "" {
				setPath(row, c.Path, fmt.Sprintf("<v%d>", i))
			}
		}
		for i, sec := range table.Sections {
			item := map[string]any{}
			for j, c := range sec.Cols() {
				setPath(item, c.Path, fmt.Sprintf("<s%d.%d>", i, j))
			}
			setPath(row, sec.Path, []any{item})
		}
		headers := make([]string, len(table.Cols()))
		for i, c := range table.Cols() {
			headers[i] = c.Header
		}

		var list bytes.Buffer
		if err := output.Print(&list, output.Options{Format: "table"}, true, []any{row}, table); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		lines := strings.Split(list.String(), "\n")
		if len(lines) < 2 || !slices.Equal(cellSep.Split(strings.TrimSpace(lines[0]), -1), headers) {
			t.Errorf("%s: the list's header line is not %q:\n%s", name, headers, list.String())
			continue
		}
		for i, c := range table.Cols() {
			if want := fmt.Sprintf("<v%d>", i); c.Path != "" && c.Format == nil && !strings.Contains(lines[1], want) {
				t.Errorf("%s: column %s does not show %s (path %q):\n%s", name, c.Header, want, c.Path, list.String())
			}
		}

		var one bytes.Buffer
		if err := output.Print(&one, output.Options{Format: "table"}, true, row, table); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i, c := range table.Cols() {
			want := c.Header + ":"
			if c.Path != "" && c.Format == nil {
				want = fmt.Sprintf("%s:  <v%d>", c.Header, i)
			}
			if !strings.Contains(regexp.MustCompile(`:\s+`).ReplaceAllString(one.String(), ":  "), want) {
				t.Errorf("%s: one object does not show %q:\n%s", name, want, one.String())
			}
		}
		for i, sec := range table.Sections {
			for j, c := range sec.Cols() {
				if !strings.Contains(one.String(), c.Header) || !strings.Contains(one.String(), fmt.Sprintf("<s%d.%d>", i, j)) {
					t.Errorf("%s: section %s does not show column %s:\n%s", name, sec.Header, c.Header, one.String())
				}
			}
		}
	}
}

// setPath puts v at a dotted path ("destination.table") in m.
func setPath(m map[string]any, path string, v any) {
	first, rest, nested := strings.Cut(path, ".")
	if !nested {
		m[first] = v
		return
	}
	inner, ok := m[first].(map[string]any)
	if !ok {
		inner = map[string]any{}
		m[first] = inner
	}
	setPath(inner, rest, v)
}
