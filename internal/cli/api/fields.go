package api

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// buildBody turns -f key=value (typed) and --raw-field key=value (always a string) into a JSON
// object. Keys may be nested with dots (ipAccessList.add) and end in [] to append to a list
// (tags[]={"key":"env","value":"dev"}).
func buildBody(typed, raw []string) (map[string]any, error) {
	body := map[string]any{}
	for _, kv := range typed {
		key, value, err := splitField(kv, "-f")
		if err != nil {
			return nil, err
		}
		if err := setPath(body, key, typedValue(value)); err != nil {
			return nil, err
		}
	}
	for _, kv := range raw {
		key, value, err := splitField(kv, "--raw-field")
		if err != nil {
			return nil, err
		}
		if err := setPath(body, key, value); err != nil {
			return nil, err
		}
	}
	return body, nil
}

func splitField(kv, flag string) (string, string, error) {
	key, value, ok := strings.Cut(kv, "=")
	if !ok || key == "" {
		return "", "", fmt.Errorf("%s %q: expected key=value", flag, kv)
	}
	return key, value, nil
}

// typedValue reads true, false, null, numbers, and JSON arrays and objects as themselves;
// anything else is a string.
func typedValue(v string) any {
	switch v {
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && !strings.ContainsAny(v, "xXnN") {
		return f
	}
	if strings.HasPrefix(v, "{") || strings.HasPrefix(v, "[") {
		var parsed any
		if err := json.Unmarshal([]byte(v), &parsed); err == nil {
			return parsed
		}
	}
	return v
}

func setPath(body map[string]any, key string, value any) error {
	parts := strings.Split(key, ".")
	m := body
	for i, part := range parts {
		last := i == len(parts)-1
		appendTo := strings.HasSuffix(part, "[]")
		name := strings.TrimSuffix(part, "[]")
		if name == "" {
			return fmt.Errorf("field %q: empty name", key)
		}
		if last {
			if appendTo {
				list, _ := m[name].([]any)
				if _, exists := m[name]; exists && list == nil {
					return fmt.Errorf("field %q: %s is already set to a value that is not a list", key, name)
				}
				m[name] = append(list, value)
				return nil
			}
			m[name] = value
			return nil
		}
		if appendTo {
			return fmt.Errorf("field %q: [] is only allowed on the last name", key)
		}
		next, ok := m[name].(map[string]any)
		if !ok {
			if _, exists := m[name]; exists {
				return fmt.Errorf("field %q: %s is already set to a value that is not an object", key, name)
			}
			next = map[string]any{}
			m[name] = next
		}
		m = next
	}
	return nil
}
