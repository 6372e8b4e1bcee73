package recommender

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas/blas32"
)

var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func testItems() []Item {
	it := func(id, title, brand string, path []string, price int64, stock int, active bool, desc string) Item {
		return Item{ID: id, Title: title, Brand: brand, Category: path[len(path)-1], CategoryPath: path,
			PriceCents: price, Stock: stock, Active: active, Description: desc, Created: testNow.AddDate(0, -3, 0)}
	}
	items := []Item{
		it("shoe", "Trail Shoe", "Peak", []string{"Outdoor", "Footwear"}, 8000, 5, true, "light trail running shoe with grippy sole"),
		it("sock", "Trail Sock", "Peak", []string{"Outdoor", "Socks"}, 1200, 5, true, "merino sock for trail running"),
		it("knife", "Chef Knife", "Forge", []string{"Home", "Kitchen"}, 5000, 5, true, "forged steel chef knife"),
		it("board", "Cutting Board", "Forge", []string{"Home", "Kitchen"}, 2000, 5, true, "oak cutting board"),
		it("tent", "Dome Tent", "Peak", []string{"Outdoor", "Camping"}, 20000, 5, true, "two person dome tent"),
		it("stove", "Camp Stove", "Peak", []string{"Outdoor", "Camping"}, 6000, 5, true, "compact gas camp stove"),
		it("lamp", "Camp Lamp", "Peak", []string{"Outdoor", "Camping"}, 3000, 0, true, "led camp lamp"),
		it("kettle", "Discontinued Kettle", "Forge", []string{"Home", "Kitchen"}, 4000, 5, false, "steel kettle"),
		it("pan", "Frying Pan", "Forge", []string{"Home", "Kitchen"}, 3500, 5, true, "cast iron frying pan"),
		it("mug", "Enamel Mug", "Peak", []string{"Outdoor", "Camping"}, 900, 5, true, "enamel camp mug"),
		it("shoepro", "Trail Shoe Pro", "Peak", []string{"Outdoor", "Footwear"}, 12000, 5, true, "trail running shoe with carbon plate and grippy sole"),
	}
	items[10].Created = testNow.AddDate(0, 0, -1) // newest, no events yet
	return items
}

// testEvents builds behaviour with known structure: shoe+sock are bought
// together, knife+board are bought together, campers look at tent, stove and
// mug, and everyone looks at the unavailable lamp and kettle.
func testEvents() []Event {
	var evs []Event
	add := func(u, item string, typ EventType, hoursAgo int) {
		evs = append(evs, Event{User: u, Item: item, Type: typ, Time: testNow.Add(-time.Duration(hoursAgo) * time.Hour)})
	}
	for i := range 20 {
		u := fmt.Sprintf("runner%d", i)
		add(u, "shoe", View, 100+i)
		add(u, "shoe", Purchase, 99+i)
		add(u, "sock", Purchase, 99+i)
		add(u, "lamp", View, 50)
	}
	for i := range 20 {
		u := fmt.Sprintf("cook%d", i)
		add(u, "knife", View, 200+i)
		add(u, "knife", Purchase, 199+i)
		add(u, "board", Purchase, 199+i)
		add(u, "kettle", View, 60)
		if i%2 == 0 {
			add(u, "pan", View, 150)
		}
	}
	for i := range 10 {
		u := fmt.Sprintf("camper%d", i)
		add(u, "tent", View, 20+i)
		add(u, "stove", Click, 19+i)
		add(u, "mug", View, 18+i)
		add(u, "lamp", AddToCart, 18+i)
	}
	add("alice", "shoe", Purchase, 10)
	add("bob", "knife", View, 10)
	return evs
}

// reloaded is m saved to a model file and loaded back: what a restarted
// shop serves.
func reloaded(t testing.TB, m *Model) *Model {
	t.Helper()
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return loaded
}

func testConfig() Config {
	cfg := DefaultConfig()
	cfg.ALS = ALSConfig{Factors: 8, Iterations: 10, Alpha: 10, Reg: 0.1, CGSteps: 3, Seed: 7}
	cfg.SVD.Rank = 4
	cfg.Workers = 2
	return cfg
}

// trainServed trains d with cfg and returns the model as the shop serves
// it: saved and loaded again.
func trainServed(tb testing.TB, d Dataset, cfg Config) *Model {
	tb.Helper()
	m, err := Train(context.Background(), d, cfg, nil)
	if err != nil {
		tb.Fatalf("Train: %v", err)
	}
	b, err := m.Marshal()
	if err != nil {
		tb.Fatalf("Marshal: %v", err)
	}
	if m, err = Load(bytes.NewReader(b)); err != nil {
		tb.Fatalf("Load: %v", err)
	}
	return m
}

func trainTestModel(tb testing.TB) *Model {
	tb.Helper()
	m, err := Train(context.Background(), Dataset{Items: testItems(), Events: testEvents(), Now: testNow}, testConfig(), nil)
	if err != nil {
		tb.Fatalf("Train: %v", err)
	}
	return m
}

func ids(recs []Recommendation) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ItemID
	}
	return out
}

func TestParseEventType(t *testing.T) {
	tests := []struct {
		in      string
		want    EventType
		wantErr bool
	}{
		{"view", View, false},
		{"click", Click, false},
		{"add_to_cart", AddToCart, false},
		{" Purchase ", Purchase, false},
		{"impression", Impression, false},
		{"refund", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseEventType(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("ParseEventType(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
			if err == nil && got.String() != strings.ToLower(strings.TrimSpace(tt.in)) {
				t.Errorf("String() = %q", got.String())
			}
		})
	}
	for _, st := range Strategies() {
		got, err := ParseStrategy(st.String())
		if err != nil || got != st {
			t.Errorf("ParseStrategy(%q) = %v, %v", st.String(), got, err)
		}
	}
}

func TestCoPurchasedPairIsRecommended(t *testing.T) {
	m := trainTestModel(t)
	tests := []struct {
		name       string
		req        Request
		want       string
		wantReason string
	}{
		{"also bought", Request{Strategy: AlsoBought, Anchor: "shoe", N: 3}, "sock", "Often bought with the Trail Shoe"},
		{"item knn for buyer", Request{User: "alice", Strategy: ItemKNN, N: 3}, "sock", "Goes with your Trail Shoe"},
		{"hybrid for buyer", Request{User: "alice", Strategy: Hybrid, N: 3}, "sock", ""},
		{"session view", Request{User: "stranger", Recent: []Event{{Item: "knife", Type: View}}, Strategy: ItemKNN, N: 3}, "board", "Goes with the Chef Knife you viewed"},
		{"session hybrid", Request{User: "stranger", Recent: []Event{{Item: "knife", Type: View}}, N: 3}, "board", ""},
		{"known viewer", Request{User: "bob", Strategy: Hybrid, N: 3}, "board", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := m.Recommend(tt.req)
			if len(recs) == 0 || recs[0].ItemID != tt.want {
				t.Fatalf("got %v, want %q first", recs, tt.want)
			}
			if tt.wantReason != "" && recs[0].Reason != tt.wantReason {
				t.Errorf("reason = %q, want %q", recs[0].Reason, tt.wantReason)
			}
		})
	}
}

func TestPurchasedItemExcluded(t *testing.T) {
	m := trainTestModel(t)
	for _, st := range Strategies() {
		t.Run(st.String(), func(t *testing.T) {
			recs := m.Recommend(Request{User: "alice", Strategy: st, N: 20, Anchor: "sock"})
			if slices.Contains(ids(recs), "shoe") {
				t.Fatalf("purchased item recommended: %v", recs)
			}
		})
	}
	recs := m.Recommend(Request{User: "alice", Strategy: Popular, N: 20, AllowRepurchase: true})
	if !slices.Contains(ids(recs), "shoe") {
		t.Errorf("AllowRepurchase: shoe missing from %v", ids(recs))
	}
	recs = m.Recommend(Request{User: "bob", Strategy: Popular, N: 20, ExcludeSeen: true})
	if slices.Contains(ids(recs), "knife") {
		t.Errorf("ExcludeSeen: viewed item returned: %v", ids(recs))
	}
	recs = m.Recommend(Request{User: "stranger", Recent: []Event{{Item: "pan", Type: Purchase}}, Strategy: Popular, N: 20})
	if slices.Contains(ids(recs), "pan") {
		t.Errorf("item bought in the session returned: %v", ids(recs))
	}
}

func TestFoldInMovesTowardViewedItems(t *testing.T) {
	m := trainTestModel(t)
	score := func(v []float32, item string) float32 {
		return dot32(v, m.als.item(m.cat.index[item]))
	}
	kitchen := m.FoldIn([]Event{{Item: "knife", Type: View}, {Item: "board", Type: View}})
	outdoor := m.FoldIn([]Event{{Item: "shoe", Type: View}, {Item: "sock", Type: View}})
	if kitchen == nil || outdoor == nil {
		t.Fatal("FoldIn returned nil")
	}
	if score(kitchen, "knife") <= score(kitchen, "shoe") || score(outdoor, "shoe") <= score(outdoor, "knife") {
		t.Fatalf("fold-in does not prefer the viewed side: kitchen %v/%v outdoor %v/%v",
			score(kitchen, "knife"), score(kitchen, "shoe"), score(outdoor, "shoe"), score(outdoor, "knife"))
	}
	// A known runner who now browses the kitchen moves toward it.
	before := m.Recommend(Request{User: "runner1", Strategy: ALS, N: 8, ExcludeSeen: true})
	after := m.Recommend(Request{User: "runner1", Strategy: ALS, N: 8, ExcludeSeen: true,
		Recent: []Event{{Item: "knife", Type: View}, {Item: "knife", Type: AddToCart}}})
	scoreOf := func(recs []Recommendation, id string) float64 {
		for _, r := range recs {
			if r.ItemID == id {
				return r.Score
			}
		}
		return math.Inf(-1)
	}
	if after[0].ItemID != "board" || scoreOf(after, "board") <= scoreOf(before, "board") {
		t.Errorf("ALS before %v, after a kitchen session %v; want board first after, with a higher score", ids(before), ids(after))
	}
	if m.FoldIn([]Event{{Item: "no-such-item", Type: View}}) != nil {
		t.Error("FoldIn of unknown items should be nil")
	}
}

func TestUnavailableNeverReturned(t *testing.T) {
	m := trainTestModel(t)
	users := []string{"", "alice", "bob", "camper1", "stranger"}
	for _, st := range Strategies() {
		for _, u := range users {
			recs := m.Recommend(Request{User: u, Strategy: st, N: 50, Anchor: "tent", Pins: []string{"lamp", "kettle"}})
			for _, r := range recs {
				if r.ItemID == "lamp" || r.ItemID == "kettle" {
					t.Errorf("%s/%q returned unavailable %s", st, u, r.ItemID)
				}
			}
		}
	}
	live := func(id string) bool { return id != "tent" && id != "stove" }
	recs := m.Recommend(Request{User: "camper1", N: 50, Available: live, Pins: []string{"tent"}})
	if slices.Contains(ids(recs), "tent") || slices.Contains(ids(recs), "stove") {
		t.Errorf("live availability ignored: %v", ids(recs))
	}
	// The live check overrides the training snapshot: the lamp is back.
	recs = m.Recommend(Request{User: "camper1", Strategy: Popular, N: 50, Available: func(string) bool { return true }})
	if !slices.Contains(ids(recs), "lamp") {
		t.Errorf("restocked lamp missing with live check: %v", ids(recs))
	}
}

func TestPinsFirst(t *testing.T) {
	m := trainTestModel(t)
	recs := m.Recommend(Request{User: "alice", Strategy: Hybrid, N: 5, Pins: []string{"mug", "nope", "pan", "mug", "shoe"}})
	if len(recs) < 3 {
		t.Fatalf("got %v", recs)
	}
	for i, want := range []string{"mug", "pan"} {
		if recs[i].ItemID != want || recs[i].Reason != "Pinned by our team" {
			t.Errorf("position %d = %+v, want pinned %s", i, recs[i], want)
		}
	}
	if recs[2].Reason == "Pinned by our team" {
		t.Errorf("purchased or duplicate pin shown: %v", recs)
	}
	recs = m.Recommend(Request{Strategy: Popular, N: 5, Pins: []string{"mug"}, Exclude: map[string]bool{"mug": true}})
	if slices.Contains(ids(recs), "mug") {
		t.Errorf("excluded pin shown: %v", ids(recs))
	}
}

func TestNoDuplicatesAndReasons(t *testing.T) {
	m := trainTestModel(t)
	for _, st := range Strategies() {
		for _, u := range []string{"", "alice", "camper2"} {
			recs := m.Recommend(Request{User: u, Strategy: st, N: 50, Anchor: "shoe", Pins: []string{"pan"},
				Recent: []Event{{Item: "tent", Type: View}}})
			seen := map[string]bool{}
			for i, r := range recs {
				if seen[r.ItemID] {
					t.Errorf("%s/%q: duplicate %s in %v", st, u, r.ItemID, ids(recs))
				}
				seen[r.ItemID] = true
				if r.Reason == "" {
					t.Errorf("%s/%q: %s has no reason", st, u, r.ItemID)
				}
				if i > 1 && r.Score > recs[i-1].Score+1e-6 {
					t.Errorf("%s/%q: scores not descending at %d: %v", st, u, i, recs)
				}
			}
			if len(recs) == 0 {
				t.Errorf("%s/%q: empty row", st, u)
			}
		}
	}
}

func TestReasonsAreTrue(t *testing.T) {
	m := trainTestModel(t)
	m.TrainedAt = testNow.Add(time.Hour) // trained as its data came in
	tests := []struct {
		name string
		req  Request
		item string
		want string
	}{
		{"similar cold product", Request{Strategy: Similar, Anchor: "shoe", N: 3}, "shoepro", "Similar to the Trail Shoe"},
		{"new arrival", Request{Strategy: New, N: 1}, "shoepro", "New arrival"},
		{"category", Request{Strategy: Category, Category: "Kitchen", N: 3}, "knife", "Popular in Kitchen this week"},
		{"trending", Request{Strategy: Trending, N: 1}, "", "Trending now"},
		{"cold start popular", Request{User: "nobody", N: 1}, "", "Popular this week"},
		{"als for known user", Request{User: "runner3", Strategy: ALS, N: 1}, "", "als"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := m.Recommend(tt.req)
			for _, r := range recs {
				if tt.item == "" || r.ItemID == tt.item {
					if tt.want == "als" {
						// A factor-model pick names a related history item,
						// an interest, or says it is for the shopper; never
						// an unrelated item.
						switch r.Reason {
						case "Picked for you", "Because you like Outdoor", "Because you like Footwear", "Because you like Socks",
							"Goes with your Trail Shoe", "Goes with your Trail Sock", "Goes with the Camp Lamp you viewed", "Like the Camp Lamp you viewed",
							"Like the Trail Shoe you bought", "Like the Trail Sock you bought":
							return
						}
						t.Fatalf("%s reason = %q names nothing runner3 did", r.ItemID, r.Reason)
					}
					if r.Reason != tt.want {
						t.Fatalf("%s reason = %q, want %q", r.ItemID, r.Reason, tt.want)
					}
					return
				}
			}
			t.Fatalf("%q not in %v", tt.item, recs)
		})
	}
}

func TestFilters(t *testing.T) {
	m := trainTestModel(t)
	tests := []struct {
		name string
		req  Request
		ok   func(Item) bool
	}{
		{"category", Request{Category: "kitchen"}, func(it Item) bool { return slices.Contains(it.CategoryPath, "Kitchen") }},
		{"root category", Request{Category: "Outdoor"}, func(it Item) bool { return it.CategoryPath[0] == "Outdoor" }},
		{"brand", Request{Brands: []string{"forge"}}, func(it Item) bool { return it.Brand == "Forge" }},
		{"price", Request{MinPriceCents: 2000, MaxPriceCents: 6000}, func(it Item) bool { return it.PriceCents >= 2000 && it.PriceCents <= 6000 }},
		{"exclude", Request{Exclude: map[string]bool{"sock": true, "pan": true}}, func(it Item) bool { return it.ID != "sock" && it.ID != "pan" }},
	}
	for _, tt := range tests {
		for _, st := range []Strategy{Hybrid, Popular, ALS, New} {
			t.Run(tt.name+"/"+st.String(), func(t *testing.T) {
				req := tt.req
				req.User, req.Strategy, req.N = "alice", st, 20
				recs := m.Recommend(req)
				if len(recs) == 0 {
					t.Fatal("no recommendations")
				}
				for _, r := range recs {
					it, _ := m.Item(r.ItemID)
					if !tt.ok(it) {
						t.Errorf("%s violates the filter", r.ItemID)
					}
				}
			})
		}
	}
	if recs := m.Recommend(Request{Category: "No Such Category"}); len(recs) != 0 {
		t.Errorf("unknown category returned %v", ids(recs))
	}
}

func TestDiversity(t *testing.T) {
	m := trainTestModel(t)
	leaves := func(recs []Recommendation) int {
		seen := map[string]bool{}
		for _, r := range recs[:min(3, len(recs))] {
			it, _ := m.Item(r.ItemID)
			seen[it.Category] = true
		}
		return len(seen)
	}
	plain := m.Recommend(Request{User: "camper1", Strategy: Hybrid, N: 3, Category: "Outdoor"})
	diverse := m.Recommend(Request{User: "camper1", Strategy: Hybrid, N: 3, Category: "Outdoor", Diversity: 0.8})
	if leaves(diverse) <= leaves(plain) && leaves(plain) < 3 {
		t.Errorf("diversity did not spread categories: plain %v, diverse %v", ids(plain), ids(diverse))
	}
}

func TestBotGuardAndDedup(t *testing.T) {
	cfg := testConfig()
	evs := testEvents()
	for i := range 1500 { // a scraper: 1,500 views in a few minutes, never a cart
		evs = append(evs, Event{User: "bot", Item: "pan", Type: View, Time: testNow.Add(-time.Duration(i) * 100 * time.Millisecond)})
	}
	for range 5 { // the same view reloaded five times a second apart
		evs = append(evs, Event{User: "reloader", Item: "mug", Type: View, Time: testNow.Add(-time.Hour)})
	}
	m, err := Train(context.Background(), Dataset{Items: testItems(), Events: evs, Now: testNow}, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.KnownUser("bot") || m.Stats().BotUsers != 1 || m.Stats().DroppedBotEvents != 1500 || len(m.Stats().Dropped) != 1 || m.Stats().Dropped[0].User != "bot" {
		t.Errorf("bot kept: known=%v stats=%+v", m.KnownUser("bot"), m.Stats())
	}
	if got := m.Stats().DroppedDuplicates; got != 4 {
		t.Errorf("DroppedDuplicates = %d, want 4", got)
	}
	u := m.userIndex["reloader"]
	_, w := m.ui.row(int(u))
	if len(w) != 1 || math.Abs(float64(w[0])-cfg.TypeWeights[View]*interactionDecay(3600, cfg)) > 1e-6 {
		t.Errorf("reloader strength = %v, want one decayed view", w)
	}
}

// A staple bought again every few weeks (a replenishment shop's coffee)
// must not crowd a shopper's history: six purchases weigh as much as two,
// so the product tried once next to it keeps half the staple's strength.
func TestAStapleBoughtAgainWeighsAsMuchAsTwoPurchases(t *testing.T) {
	evs := testEvents()
	for week := range 6 {
		evs = append(evs, Event{User: "regular", Item: "mug", Type: Purchase, Time: testNow.AddDate(0, 0, -7*week-1)})
	}
	evs = append(evs, Event{User: "regular", Item: "pan", Type: Purchase, Time: testNow.AddDate(0, 0, -3)})
	m, err := Train(context.Background(), Dataset{Items: testItems(), Events: evs, Now: testNow}, testConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	items, w := m.ui.row(int(m.userIndex["regular"]))
	strength := map[string]float32{}
	for k, j := range items {
		strength[m.cat.items[j].ID] = w[k]
	}
	if strength["pan"] <= 0 || strength["mug"] != 2*strength["pan"] {
		t.Errorf("strengths %v: want the staple bought six times at twice the product bought once", strength)
	}
}

func TestALSConjugateGradientMatchesCholesky(t *testing.T) {
	const k, items = 12, 60
	rng := rand.New(rand.NewPCG(3, 4))
	y := make([]float32, items*k)
	for i := range y {
		y[i] = float32(rng.NormFloat64() * 0.3)
	}
	gram := make([]float32, k*k)
	gramInto(gram, y, k, 0.5)
	gram64 := make([]float64, k*k)
	for i, v := range gram {
		gram64[i] = float64(v)
	}
	tests := []struct {
		name  string
		items []int32
		vals  []float32
		alpha float32
	}{
		{"few items", []int32{1, 5, 9}, []float32{1, 2, 8}, 10},
		{"many items", []int32{0, 2, 3, 7, 11, 13, 20, 31, 40, 59}, []float32{1, 1, 1, 4, 2, 1, 8, 3, 1, 1}, 4},
		{"no items", nil, nil, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exact, err := solveExact(y, gram64, k, tt.alpha, tt.items, tt.vals)
			if err != nil {
				t.Fatal(err)
			}
			x := make([]float32, k) // cold start: CG converges in ≤ k steps
			s := newCGScratch(k)
			G := blas32.General{Rows: k, Cols: k, Stride: k, Data: gram}
			cgSolveRow(x, y, G, tt.items, tt.vals, k, tt.alpha, 2*k, 0, s)
			if e := relErr(x, exact); e > 1e-3 {
				t.Errorf("CG from zero: relative error %.2g", e)
			}
			// Warm start near the answer: three steps must get (much) closer.
			warm := slices.Clone(exact)
			for i := range warm {
				warm[i] += float32(rng.NormFloat64() * 0.05)
			}
			before := relErr(warm, exact)
			cgSolveRow(warm, y, G, tt.items, tt.vals, k, tt.alpha, 3, 0, s)
			if after := relErr(warm, exact); after > before/2 && after > 1e-4 {
				t.Errorf("3 warm CG steps: error %.2g → %.2g", before, after)
			}
		})
	}
}

func relErr(x, want []float32) float64 {
	var num, den float64
	for i := range x {
		d := float64(x[i] - want[i])
		num += d * d
		den += float64(want[i]) * float64(want[i])
	}
	return math.Sqrt(num / max(den, 1e-12))
}

func TestSaveLoadRoundTrip(t *testing.T) {
	m := trainTestModel(t)
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	fromReader, err := Load(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	// LoadBytes decodes a blob in place; the model must not keep it.
	blob := bytes.Clone(buf.Bytes())
	fromBytes, err := LoadBytes(blob)
	if err != nil {
		t.Fatal(err)
	}
	clear(blob)
	for name, loaded := range map[string]*Model{"Load": fromReader, "LoadBytes": fromBytes} {
		if !loaded.TrainedAt.Equal(m.TrainedAt) || loaded.Stats().Interactions != m.Stats().Interactions {
			t.Errorf("%s: metadata differs: %v/%v", name, loaded.TrainedAt, m.TrainedAt)
		}
		for _, st := range Strategies() {
			for _, u := range []string{"", "alice", "bob", "camper3"} {
				req := Request{User: u, Strategy: st, N: 10, Anchor: "shoe", Recent: []Event{{Item: "tent", Type: Click}}}
				a, b := m.Recommend(req), loaded.Recommend(req)
				if fmt.Sprint(a) != fmt.Sprint(b) {
					t.Errorf("%s: %s/%q: before %v, after %v", name, st, u, a, b)
				}
			}
		}
		if fmt.Sprint(m.FoldIn(testEvents()[:4])) != fmt.Sprint(loaded.FoldIn(testEvents()[:4])) {
			t.Errorf("%s: fold-in differs after loading", name)
		}
	}
}

func TestLoadRejectsCorruptInput(t *testing.T) {
	m := trainTestModel(t)
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	flip := func(at int) []byte {
		b := slices.Clone(good)
		b[at] ^= 0x40
		return b
	}
	version := slices.Clone(good)
	version[8] = 99
	tests := []struct {
		name    string
		in      []byte
		corrupt bool
	}{
		{"empty", nil, true},
		{"not a model", []byte("hello, this is not a model file at all"), true},
		{"truncated header", good[:10], true},
		{"truncated payload", good[:len(good)-100], true},
		{"flipped payload byte", flip(len(good) / 2), true},
		{"flipped length", flip(13), true},
		{"other version", version, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Load(bytes.NewReader(tt.in))
			if err == nil || got != nil {
				t.Fatalf("Load succeeded on %s", tt.name)
			}
			if errors.Is(err, ErrCorruptModel) != tt.corrupt {
				t.Errorf("error %v: errors.Is(ErrCorruptModel) = %v, want %v", err, !tt.corrupt, tt.corrupt)
			}
			got, err = LoadBytes(tt.in)
			if err == nil || got != nil {
				t.Fatalf("LoadBytes succeeded on %s", tt.name)
			}
			if errors.Is(err, ErrCorruptModel) != tt.corrupt {
				t.Errorf("LoadBytes error %v: errors.Is(ErrCorruptModel) = %v, want %v", err, !tt.corrupt, tt.corrupt)
			}
		})
	}
}

func TestRankingMetricsHandComputed(t *testing.T) {
	ranked := [][]string{
		{"a", "x", "b", "y"}, // hits at 1 and 3 of 3 relevant
		{"x", "y", "z", "w"}, // no hit
		{"q", "c"},           // hit at 2 of 1 relevant, short list
	}
	relevant := []map[string]bool{
		{"a": true, "b": true, "c": true},
		{"a": true},
		{"c": true},
	}
	got := RankingMetrics(ranked, relevant, 4, 20)
	l2 := func(pos float64) float64 { return 1 / math.Log2(pos+1) }
	want := Metrics{
		Precision: (2.0/4 + 0 + 1.0/4) / 3,
		Recall:    (2.0/3 + 0 + 1) / 3,
		NDCG:      ((l2(1)+l2(3))/(l2(1)+l2(2)+l2(3)) + 0 + l2(2)/l2(1)) / 3,
		MAP:       ((1.0/1+2.0/3)/3 + 0 + (1.0/2)/1) / 3,
		HitRate:   2.0 / 3,
		Coverage:  8.0 / 20, // a x b y z w q c
		Users:     3,
	}
	want.F1 = 2 * want.Precision * want.Recall / (want.Precision + want.Recall)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"precision", got.Precision, want.Precision}, {"recall", got.Recall, want.Recall},
		{"ndcg", got.NDCG, want.NDCG}, {"map", got.MAP, want.MAP}, {"hit rate", got.HitRate, want.HitRate},
		{"coverage", got.Coverage, want.Coverage}, {"f1", got.F1, want.F1},
	} {
		if math.Abs(c.got-c.want) > 1e-12 {
			t.Errorf("%s = %.6f, want %.6f", c.name, c.got, c.want)
		}
	}
	if got.Users != 3 {
		t.Errorf("users = %d", got.Users)
	}
}

func TestSplits(t *testing.T) {
	evs := testEvents()
	train, test := TimeSplit(evs, 0.8)
	if len(train) != int(math.Round(0.8*float64(len(evs)))) {
		t.Errorf("time split train = %d of %d", len(train), len(evs))
	}
	last := train[len(train)-1].Time
	inTrain := map[string]bool{}
	for _, e := range train {
		inTrain[e.User] = true
	}
	for _, e := range test {
		if e.Time.Before(last) || !inTrain[e.User] {
			t.Fatalf("test event %+v precedes train or has unknown user", e)
		}
	}
	a1, b1 := UserRandomSplit(evs, 0.75, 42)
	a2, _ := UserRandomSplit(evs, 0.75, 42)
	if fmt.Sprint(a1) != fmt.Sprint(a2) || len(a1)+len(b1) != len(evs) {
		t.Error("UserRandomSplit is not deterministic or loses events")
	}
	per := map[string][2]int{}
	for _, e := range a1 {
		c := per[e.User]
		c[0]++
		per[e.User] = c
	}
	for _, e := range b1 {
		c := per[e.User]
		c[1]++
		per[e.User] = c
	}
	for u, c := range per {
		if c[0] == 0 || c[0] != max(1, int(math.Round(0.75*float64(c[0]+c[1])))) {
			t.Errorf("user %s split %v", u, c)
		}
	}
}

func TestEvaluateBeatsPopularity(t *testing.T) {
	evs := testEvents()
	train, test := UserRandomSplit(evs, 0.6, 1)
	res, err := Evaluate(context.Background(), Dataset{Items: testItems(), Events: train, Now: testNow}, test, 3, testConfig(),
		[]Strategy{Popular, ItemKNN, Hybrid})
	if err != nil {
		t.Fatal(err)
	}
	if res[Popular].Users == 0 || res[ItemKNN].Recall <= res[Popular].Recall {
		t.Errorf("item kNN %+v does not beat popularity %+v", res[ItemKNN], res[Popular])
	}
}

func TestAffinityAndHolder(t *testing.T) {
	m := trainTestModel(t)
	aff := m.Affinity("camper1", []Event{{Item: "knife", Type: View}})
	if aff["Camping"] != 1 || aff["Kitchen"] <= 0 || aff["Kitchen"] >= 1 || aff["Footwear"] != 0 {
		t.Errorf("affinity = %v", aff)
	}
	if len(m.Affinity("nobody", nil)) != 0 {
		t.Error("affinity for unknown user should be empty")
	}
	var h Holder
	if h.Load() != nil {
		t.Fatal("empty holder returned a model")
	}
	h.Store(m)
	m2 := trainTestModel(t)
	if h.Store(m2); h.Load() != m2 {
		t.Error("Store did not publish the new model")
	}
}

func TestTrainEdgeCases(t *testing.T) {
	ctx := context.Background()
	t.Run("no events", func(t *testing.T) {
		m, err := Train(ctx, Dataset{Items: testItems(), Now: testNow}, testConfig(), nil)
		if err != nil {
			t.Fatal(err)
		}
		recs := m.Recommend(Request{User: "x", N: 3})
		if len(recs) != 3 || recs[0].ItemID != "shoepro" || recs[0].Reason != "New arrival" {
			t.Errorf("empty shop: %v", recs)
		}
	})
	t.Run("no catalog", func(t *testing.T) {
		m, err := Train(ctx, Dataset{Events: testEvents()}, testConfig(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if m.NumItems() != 10 || len(m.Recommend(Request{User: "alice", N: 5})) == 0 {
			t.Errorf("items derived from events: %d", m.NumItems())
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		c, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := Train(c, Dataset{Items: testItems(), Events: testEvents()}, testConfig(), nil); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("bad config", func(t *testing.T) {
		cfg := testConfig()
		cfg.ALS.Iterations = 0
		if _, err := Train(ctx, Dataset{Items: testItems()}, cfg, nil); err == nil {
			t.Error("want error")
		}
	})
}

// TestAnOldHistoryIsNotThisWeeks: an imported history whose last event is a
// month before training ranks popularity as of its own last day, and its
// best sellers were still called "popular this week" on the homepage.
func TestAnOldHistoryIsNotThisWeeks(t *testing.T) {
	m := trainTestModel(t)
	for _, tc := range []struct {
		trained time.Time
		cat     string
		all     string
	}{
		{testNow.Add(time.Hour), "Popular in Kitchen this week", "Popular this week"},
		{testNow.Add(30 * 24 * time.Hour), "Popular in Kitchen", "Popular with shoppers"},
	} {
		m.TrainedAt = tc.trained
		for _, want := range []struct {
			req    Request
			reason string
		}{{Request{Strategy: Category, Category: "Kitchen", N: 3}, tc.cat}, {Request{User: "nobody", N: 1}, tc.all}} {
			recs := m.Recommend(want.req)
			if len(recs) == 0 || recs[0].Reason != want.reason {
				t.Errorf("trained %v after the last event: %+v, want the reason %q", tc.trained.Sub(testNow), recs, want.reason)
			}
		}
	}
}
