package web

import (
	"reflect"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
)

func TestSessionCodecRoundTripAndReadsGob(t *testing.T) {
	deadline := time.Unix(1_800_000_000, 123)
	values := map[string]interface{}{sessShopperID: 42, sessShopperKey: "u00042", sessShopperName: "Ada Ö", sessSeen: int64(1_700_000_000),
		"flash": "Added “Tent” to your cart.", "b": true, "f": 2.5, "empty": ""}
	b, err := sessionCodec{}.Encode(deadline, values)
	if err != nil {
		t.Fatal(err)
	}
	dl, got, err := sessionCodec{}.Decode(b)
	if err != nil || !dl.Equal(deadline) || !reflect.DeepEqual(got, values) {
		t.Fatalf("round trip: %v %v %v, want %v %v", dl, got, err, deadline, values)
	}
	// Sessions stored with gob before keep working.
	old, err := scs.GobCodec{}.Encode(deadline, values)
	if err != nil {
		t.Fatal(err)
	}
	if dl, got, err := (sessionCodec{}).Decode(old); err != nil || !dl.Equal(deadline) || !reflect.DeepEqual(got, values) {
		t.Fatalf("gob session: %v %v %v", dl, got, err)
	}
	// A type the codec does not know is stored with gob.
	odd := map[string]interface{}{"n": uint(7)}
	b, err = sessionCodec{}.Encode(deadline, odd)
	if err != nil {
		t.Fatal(err)
	}
	if _, got, err := (sessionCodec{}).Decode(b); err != nil || !reflect.DeepEqual(got, odd) {
		t.Fatalf("gob fallback: %v %v", got, err)
	}
	// Damaged data is an error, never a panic.
	enc, _ := sessionCodec{}.Encode(deadline, values)
	for i := len(sessionMagic); i < len(enc); i++ {
		sessionCodec{}.Decode(enc[:i])
	}
}
