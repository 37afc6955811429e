package cloudtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
)

// ClickHouse settings of a service: a few defaults, and what the settings API has set. Values
// are kept as the strings the document promises; QuirkNumericSettingValues decides how numeric
// ones are shown.

// defaultSettings are the values every service starts with, in the order they are listed. The
// numeric one comes first so that a client reading "the first setting" meets the real API's
// number-for-string answer.
var defaultSettings = []struct{ name, value string }{
	{"max_threads", "8"},
	{"compatibility", "24.8"},
}

func init() {
	maps.Copy(handlers, map[string]handler{
		"serviceClickhouseSettingsListGet": clickhouseSettingsList,
		"serviceClickhouseSettingGet":      clickhouseSettingGet,
		"serviceClickhouseSettingsUpdate":  clickhouseSettingsUpdate,
		"serviceClickhouseSettingDelete":   clickhouseSettingDelete,
	})
}

// setting returns the current value of a setting: set through the API, else the default.
func (svc *service) setting(name string) (string, bool) {
	if v, ok := svc.settings.get(name); ok {
		return v, true
	}
	return defaultValue(name)
}

// settingView is one ServiceClickhouseSetting as answered: an integer value is a JSON number with
// QuirkNumericSettingValues (the real API's answer), a string otherwise (the document's).
func (q *request) settingView(name, value string) map[string]any {
	var v any = value
	if _, err := strconv.ParseInt(value, 10, 64); err == nil && q.s.quirk(QuirkNumericSettingValues) {
		v = json.Number(value)
	}
	return map[string]any{"name": name, "value": v}
}

func clickhouseSettingsList(q *request) response {
	svc, ok := q.lookupService()
	if !ok {
		return q.serviceNotFound()
	}
	out := []any{}
	for _, d := range defaultSettings {
		v, _ := svc.setting(d.name)
		out = append(out, q.settingView(d.name, v))
	}
	for _, name := range svc.settings.ids {
		if _, isDefault := defaultValue(name); !isDefault {
			v, _ := svc.settings.get(name)
			out = append(out, q.settingView(name, v))
		}
	}
	return q.ok(map[string]any{"settings": out})
}

func defaultValue(name string) (string, bool) {
	for _, d := range defaultSettings {
		if d.name == name {
			return d.value, true
		}
	}
	return "", false
}

func clickhouseSettingGet(q *request) response {
	svc, ok := q.lookupService()
	if !ok {
		return q.serviceNotFound()
	}
	name := q.params["settingName"]
	v, ok := svc.setting(name)
	if !ok {
		return q.fail(http.StatusBadRequest, "BAD_REQUEST", fmt.Sprintf("Unknown setting %s", name))
	}
	return q.ok(q.settingView(name, v))
}

// clickhouseSettingsUpdate applies {"settings": "<JSON object of names to values>"}: the
// document sends the object encoded as a string, and answers the applied values the same way.
func clickhouseSettingsUpdate(q *request) response {
	svc, ok := q.lookupService()
	if !ok {
		return q.serviceNotFound()
	}
	var req struct {
		Settings string `json:"settings"`
	}
	if err := q.decodeBody(&req); err != nil {
		return q.fail(http.StatusBadRequest, "BAD_REQUEST", err.Error())
	}
	var values map[string]json.RawMessage
	if err := json.Unmarshal([]byte(req.Settings), &values); err != nil || values == nil {
		return q.fail(http.StatusBadRequest, "BAD_REQUEST", "request body.settings: must be a JSON object of setting names to values")
	}
	applied := map[string]string{}
	warnings := []any{}
	for name, raw := range values {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			var n json.Number
			if json.Unmarshal(raw, &n) != nil {
				return q.fail(http.StatusBadRequest, "BAD_REQUEST", fmt.Sprintf("request body.settings.%s: must be a string or a number", name))
			}
			s = n.String()
		}
		applied[name] = s
		if name == "compatibility" {
			warnings = append(warnings, map[string]any{"name": name,
				"message": "Changing the compatibility version without comprehensive testing can cause query failures or instability."})
		}
	}
	names := make([]string, 0, len(applied))
	for name := range applied {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		svc.settings.put(name, applied[name])
	}
	encoded, _ := json.Marshal(applied) // encoding/json sorts map keys: a stable answer
	return q.ok(map[string]any{"settings": string(encoded), "warnings": warnings})
}

// clickhouseSettingDelete reverts a setting to its default; a setting never set is a no-op, as
// the document says.
func clickhouseSettingDelete(q *request) response {
	svc, ok := q.lookupService()
	if !ok {
		return q.serviceNotFound()
	}
	if unknownIDs[q.params["settingName"]] {
		return q.fail(http.StatusNotFound, "NOT_FOUND", "Setting "+q.params["settingName"]+" not found")
	}
	svc.settings.del(q.params["settingName"])
	return q.done()
}
