// Package redact removes secrets from ClickHouse Cloud API traffic before it is logged or recorded.
//
// It is the one place that knows which parts of a request or response are secret: package cloud
// uses it for debug logs, and the conformance suite uses it to scrub cassettes. The rules follow
// what the API is known to send (see docs/api-behaviour.md, "Secrets in traffic"): the Authorization
// header, key secrets (and the key ID created with them), passwords and password hashes, cloud
// credentials, private keys, connection strings, and presigned or upload URLs.
package redact

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// Placeholder replaces every secret value.
const Placeholder = "REDACTED"

// secretFields are JSON property names (compared case-insensitively) whose whole value is secret,
// whatever its type: a string, or an object such as credentials.
var secretFields = map[string]bool{
	"keysecret":         true,
	"keysecrethash":     true,
	"password":          true,
	"newpasswordhash":   true,
	"newdoublesha1hash": true,
	"secretaccesskey":   true,
	"secretkey":         true,
	"privatekey":        true,
	"connectionstring":  true,
	"credentials":       true,
	"secrets":           true,
	"serviceaccountkey": true,
	"uploadurl":         true,
	"presignedurl":      true,
	"accesstoken":       true,
	"refreshtoken":      true,
}

// IsSecretField reports whether a JSON property of this name holds a secret value.
func IsSecretField(name string) bool {
	lower := strings.ToLower(name)
	return secretFields[lower] || strings.HasPrefix(lower, "newpassword") || strings.HasPrefix(lower, "presigned")
}

// signedURL matches URLs that carry their own authorisation (S3, GCS and Azure presigned URLs).
var signedURL = lazyRegexp(`(?i)(x-amz-signature|x-amz-credential|x-goog-signature|x-goog-credential|[?&]sig=|[?&]signature=)`)

// pemPrivateKey matches a PEM private key block, wherever it appears in text.
var pemPrivateKey = lazyRegexp(`-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----`)

// JSON returns body with every secret value replaced by Placeholder, keeping the order of
// properties and the rest of the document as it was (whitespace aside). A keyId that sits next to
// a keySecret, as in the answer to an API key creation, is secret too, and so is its value
// wherever else it appears in the document. A string that is a presigned URL is redacted wherever
// it appears. It fails only when body is not valid JSON.
func JSON(body []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	v, err := readOrdered(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errTrailing
	}
	var out bytes.Buffer
	out.Grow(len(body))
	w := writer{out: &out, hidden: map[string]bool{}}
	w.collectCreatedKeyIDs(v)
	w.write(v, false)
	return out.Bytes(), nil
}

var errTrailing = errors.New("redact: data after the JSON value")

// Body redacts a request or response body of any content type: JSON through JSON, anything else
// by removing PEM private key blocks and presigned URLs. A body announced as JSON that does not
// parse is replaced entirely, since it cannot be searched reliably.
func Body(contentType string, body []byte) []byte {
	if len(body) == 0 {
		return body
	}
	trimmed := bytes.TrimSpace(body)
	looksJSON := strings.Contains(contentType, "json") ||
		(len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '['))
	if looksJSON {
		if out, err := JSON(body); err == nil {
			return out
		}
		if strings.Contains(contentType, "json") {
			return []byte(Placeholder + " (body is not valid JSON)")
		}
	}
	out := pemPrivateKey().ReplaceAll(body, []byte(Placeholder))
	return redactURLsInText(out)
}

var urlInText = lazyRegexp(`https?://[^\s"'<>]+`)

// userInfoInText matches a URL's scheme and user info ("https://user:pass@"). The user info may
// not be well formed (a password with a raw "/"), so everything up to the first "@" that does not
// cross a space or quote counts: hiding part of a path that holds an "@" is the safer mistake.
var userInfoInText = lazyRegexp(`(?i)\b([a-z][a-z0-9+.-]*://)[^\s"'<>@]*@`)

func redactURLsInText(text []byte) []byte {
	text = userInfoInText().ReplaceAll(text, []byte("${1}"+Placeholder+"@"))
	return urlInText().ReplaceAllFunc(text, func(u []byte) []byte {
		if signedURL().Match(u) {
			return []byte(URL(string(u)))
		}
		return u
	})
}

// Text returns s with the user info of every URL in it (https://user:pass@host) and the query
// of every presigned URL replaced by Placeholder: for error messages and other text that may
// quote a URL.
func Text(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	return string(redactURLsInText([]byte(s)))
}

// URL returns u with its user info (https://user:pass@host) masked, and its query string
// masked when the URL is presigned (it would grant access to whoever reads it); other URLs are
// returned unchanged.
func URL(u string) string {
	signed := signedURL().MatchString(u)
	if !signed && !strings.Contains(u, "@") {
		return u
	}
	parsed, err := url.Parse(u)
	if err != nil {
		if signed {
			return Placeholder
		}
		return userInfoInText().ReplaceAllString(u, "${1}"+Placeholder+"@")
	}
	if parsed.User == nil && !signed {
		return u
	}
	if parsed.User != nil {
		parsed.User = url.User(Placeholder)
	}
	if signed {
		parsed.RawQuery = Placeholder
	}
	return parsed.String()
}

// secretHeaders are request and response headers that are never shown.
var secretHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Amz-Security-Token"}

// Header returns a copy of h in which credentials are masked. For Authorization, the scheme
// ("Basic") stays visible, so a log still tells whether credentials were sent.
func Header(h http.Header) http.Header {
	out := h.Clone()
	for _, name := range secretHeaders {
		values := out.Values(name)
		if len(values) == 0 {
			continue
		}
		masked := make([]string, len(values))
		for i, v := range values {
			masked[i] = Placeholder
			if scheme, _, ok := strings.Cut(v, " "); ok && name == "Authorization" {
				masked[i] = scheme + " " + Placeholder
			}
		}
		out[http.CanonicalHeaderKey(name)] = masked
	}
	return out
}

// writer writes a redacted document. hidden holds string values that are secret wherever they
// appear: the key ID of a key creation answer, which may be repeated elsewhere in the document.
type writer struct {
	out    *bytes.Buffer
	hidden map[string]bool
}

func (w writer) collectCreatedKeyIDs(v any) {
	switch v := v.(type) {
	case *object:
		hasSecret := false
		for _, m := range v.members {
			hasSecret = hasSecret || strings.EqualFold(m.key, "keySecret")
		}
		for _, m := range v.members {
			if id, ok := m.value.(string); ok && hasSecret && strings.EqualFold(m.key, "keyId") && id != "" {
				w.hidden[id] = true
			}
			w.collectCreatedKeyIDs(m.value)
		}
	case []any:
		for _, e := range v {
			w.collectCreatedKeyIDs(e)
		}
	}
}

func (w writer) write(v any, secret bool) {
	out := w.out
	if secret {
		out.WriteString(`"` + Placeholder + `"`)
		return
	}
	switch v := v.(type) {
	case *object:
		out.WriteByte('{')
		for i, m := range v.members {
			if i > 0 {
				out.WriteByte(',')
			}
			writeString(out, m.key)
			out.WriteByte(':')
			w.write(m.value, IsSecretField(m.key) && m.value != nil)
		}
		out.WriteByte('}')
	case []any:
		out.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				out.WriteByte(',')
			}
			w.write(e, false)
		}
		out.WriteByte(']')
	case string:
		switch {
		case w.hidden[v]:
			v = Placeholder
		case signedURL().MatchString(v):
			v = URL(v)
		case strings.Contains(v, "@") && userInfoInText().MatchString(v):
			v = userInfoInText().ReplaceAllString(v, "${1}"+Placeholder+"@")
		}
		writeString(out, v)
	case json.Number:
		out.WriteString(v.String())
	case bool:
		if v {
			out.WriteString("true")
		} else {
			out.WriteString("false")
		}
	case nil:
		out.WriteString("null")
	}
}

func writeString(out *bytes.Buffer, s string) {
	b, _ := json.Marshal(s)
	out.Write(b)
}

// object is a JSON object that remembers the order of its properties.
type object struct{ members []member }

type member struct {
	key   string
	value any
}

// readOrdered reads one JSON value, keeping objects in document order (a map would sort them).
func readOrdered(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok := tok.(type) {
	case json.Delim:
		switch tok {
		case '{':
			obj := &object{}
			for dec.More() {
				keyTok, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ := keyTok.(string)
				value, err := readOrdered(dec)
				if err != nil {
					return nil, err
				}
				obj.members = append(obj.members, member{key, value})
			}
			if _, err := dec.Token(); err != nil { // '}'
				return nil, err
			}
			return obj, nil
		case '[':
			list := []any{}
			for dec.More() {
				value, err := readOrdered(dec)
				if err != nil {
					return nil, err
				}
				list = append(list, value)
			}
			if _, err := dec.Token(); err != nil { // ']'
				return nil, err
			}
			return list, nil
		}
		return nil, errUnexpectedDelim
	default:
		return tok, nil
	}
}

var errUnexpectedDelim = errors.New("redact: unexpected delimiter")

// lazyRegexp compiles expr on first use: the SDK links this package, and a program that never
// redacts anything should not compile its expressions at start-up.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
