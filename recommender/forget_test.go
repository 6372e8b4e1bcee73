package recommender

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
)

func TestForgetRemovesAUserFromTheModel(t *testing.T) {
	const gone = "forget-me-7f3a"
	evs := testEvents()
	for _, it := range []string{"tent", "stove", "mug"} {
		evs = append(evs, Event{User: gone, Item: it, Type: Purchase, Time: testNow.Add(-3 * 3600e9)})
	}
	m, err := Train(context.Background(), Dataset{Items: testItems(), Events: evs, Now: testNow}, testConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	save := func(m *Model) []byte {
		var buf bytes.Buffer
		if err := m.Save(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	before := save(m)
	if !bytes.Contains(before, []byte(gone)) || !m.KnownUser(gone) {
		t.Fatal("the trained model does not hold the user: the test proves nothing")
	}
	others := map[Strategy]string{}
	for _, st := range Strategies() {
		others[st] = fmt.Sprint(m.Recommend(Request{User: "runner3", Strategy: st, N: 5}))
	}

	fresh, err := Load(bytes.NewReader(before))
	if err != nil {
		t.Fatal(err)
	}
	if n := fresh.Forget(func(u string) bool { return u == gone }); n != 1 {
		t.Fatalf("forgot %d users, want 1", n)
	}
	after := save(fresh)
	if bytes.Contains(after, []byte(gone)) {
		t.Error("the saved model still contains the forgotten user's id")
	}
	reloaded, err := Load(bytes.NewReader(after))
	if err != nil {
		t.Fatalf("a model with a forgotten user does not load: %v", err)
	}
	for _, mm := range []*Model{fresh, reloaded} {
		if mm.KnownUser(gone) {
			t.Error("the forgotten user is still known")
		}
		for _, st := range Strategies() {
			got := mm.Recommend(Request{User: gone, Strategy: st, N: 5})
			anon := mm.Recommend(Request{User: "", Strategy: st, N: 5})
			if fmt.Sprint(got) != fmt.Sprint(anon) {
				t.Errorf("%s: the forgotten user gets %v, an unknown visitor %v", st, got, anon)
			}
			for _, r := range got {
				if strings.Contains(r.Reason, "you bought") {
					t.Errorf("%s: a personal reason for a forgotten user: %q", st, r.Reason)
				}
			}
			if o := fmt.Sprint(mm.Recommend(Request{User: "runner3", Strategy: st, N: 5})); o != others[st] {
				t.Errorf("%s: another user's list changed: %s, was %s", st, o, others[st])
			}
		}
	}
}
