package cloudtest

import (
	"encoding/hex"
	"hash/fnv"
	"math/rand/v2"
	"sync"
)

// idSource hands out deterministic identifiers: the same seed gives the same sequence of IDs,
// request IDs and secrets, so two runs of a test against the fake see the same values.
type idSource struct {
	mu  sync.Mutex
	rng *rand.Rand
}

func newIDSource(seed int64, stream string) *idSource {
	return &idSource{rng: rand.New(rand.NewPCG(uint64(seed), hashString(stream)))}
}

// UUID returns a random (version 4, variant 1) UUID drawn from the seeded source.
func (s *idSource) UUID() string {
	s.mu.Lock()
	a, b := s.rng.Uint64(), s.rng.Uint64()
	s.mu.Unlock()
	return formatUUID(a, b)
}

// Token returns n random characters from alphabet.
func (s *idSource) Token(n int, alphabet string) string {
	out := make([]byte, n)
	s.mu.Lock()
	for i := range out {
		out[i] = alphabet[s.rng.IntN(len(alphabet))]
	}
	s.mu.Unlock()
	return string(out)
}

func formatUUID(a, b uint64) string {
	var u [16]byte
	for i := range 8 {
		u[i] = byte(a >> (56 - 8*i))
		u[8+i] = byte(b >> (56 - 8*i))
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	var buf [36]byte
	hex.Encode(buf[0:8], u[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], u[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], u[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], u[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:], u[10:])
	return string(buf[:])
}

func hashString(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

const (
	alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	lowerHex     = "0123456789abcdef"
)
