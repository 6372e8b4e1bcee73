package web

import (
	"encoding/binary"
	"errors"
	"math"
	"time"

	"github.com/alexedwards/scs/v2"
)

// sessionCodec encodes session data in a small binary form that decodes
// without reflection: every page view of a signed-in shopper decodes their
// session, and gob (scs's default) compiled a decoder for each one, a fifth
// of a cached page's CPU. Values of other types than the shop stores (int,
// int64, string, bool, float64) fall back to gob, as do sessions stored
// before this codec, which are read as they are.
type sessionCodec struct{}

// sessionMagic starts every session in this codec's form; gob data never
// starts with it (gob begins with a message length).
var sessionMagic = []byte{0xff, 's', 'f', 1}

const (
	tagInt byte = iota + 1
	tagInt64
	tagString
	tagBool
	tagFloat64
)

func (sessionCodec) Encode(deadline time.Time, values map[string]interface{}) ([]byte, error) {
	b := append([]byte(nil), sessionMagic...)
	b = binary.AppendVarint(b, deadline.UnixNano())
	b = binary.AppendUvarint(b, uint64(len(values)))
	for k, v := range values {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		switch x := v.(type) {
		case int:
			b = append(b, tagInt)
			b = binary.AppendVarint(b, int64(x))
		case int64:
			b = append(b, tagInt64)
			b = binary.AppendVarint(b, x)
		case string:
			b = append(b, tagString)
			b = binary.AppendUvarint(b, uint64(len(x)))
			b = append(b, x...)
		case bool:
			b = append(b, tagBool)
			if x {
				b = append(b, 1)
			} else {
				b = append(b, 0)
			}
		case float64:
			b = append(b, tagFloat64)
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
		default:
			return scs.GobCodec{}.Encode(deadline, values)
		}
	}
	return b, nil
}

var errSessionData = errors.New("web: damaged session data")

func (sessionCodec) Decode(b []byte) (time.Time, map[string]interface{}, error) {
	if len(b) < len(sessionMagic) || string(b[:len(sessionMagic)]) != string(sessionMagic) {
		return scs.GobCodec{}.Decode(b)
	}
	b = b[len(sessionMagic):]
	varint := func() (int64, bool) {
		v, n := binary.Varint(b)
		if n <= 0 {
			return 0, false
		}
		b = b[n:]
		return v, true
	}
	uvarint := func() (uint64, bool) {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, false
		}
		b = b[n:]
		return v, true
	}
	str := func() (string, bool) {
		n, ok := uvarint()
		if !ok || n > uint64(len(b)) {
			return "", false
		}
		s := string(b[:n])
		b = b[n:]
		return s, true
	}
	dl, ok := varint()
	if !ok {
		return time.Time{}, nil, errSessionData
	}
	n, ok := uvarint()
	if !ok || n > uint64(len(b)) {
		return time.Time{}, nil, errSessionData
	}
	values := make(map[string]interface{}, n)
	for range n {
		k, ok := str()
		if !ok || len(b) == 0 {
			return time.Time{}, nil, errSessionData
		}
		tag := b[0]
		b = b[1:]
		switch tag {
		case tagInt, tagInt64:
			v, ok := varint()
			if !ok {
				return time.Time{}, nil, errSessionData
			}
			if tag == tagInt {
				values[k] = int(v)
			} else {
				values[k] = v
			}
		case tagString:
			v, ok := str()
			if !ok {
				return time.Time{}, nil, errSessionData
			}
			values[k] = v
		case tagBool:
			if len(b) < 1 {
				return time.Time{}, nil, errSessionData
			}
			values[k] = b[0] == 1
			b = b[1:]
		case tagFloat64:
			if len(b) < 8 {
				return time.Time{}, nil, errSessionData
			}
			values[k] = math.Float64frombits(binary.LittleEndian.Uint64(b))
			b = b[8:]
		default:
			return time.Time{}, nil, errSessionData
		}
	}
	return time.Unix(0, dl), values, nil
}
