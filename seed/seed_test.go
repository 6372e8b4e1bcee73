package seed

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"storefront/models"
)

var testNow = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

// tinyWorld keeps seeding tests to about a second.
var tinyWorld = Options{Seed: 7, Now: testNow, Products: 400, Shoppers: 150, Events: 6000}

func openDB(tb testing.TB) *models.DB {
	tb.Helper()
	db, done, err := models.OpenScratch(tb.TempDir(), "t.db")
	if err != nil {
		tb.Fatalf("open db: %v", err)
	}
	tb.Cleanup(done)
	return db
}

func mustSeed(tb testing.TB, db *models.DB, o Options) *Summary {
	tb.Helper()
	sum, err := Seed(context.Background(), db, o, nil)
	if err != nil {
		tb.Fatalf("seed: %v", err)
	}
	return sum
}

func TestCatalogTree(t *testing.T) {
	c := buildCatalog(DefaultSeed, testNow, 5000)
	if len(c.cats) < 20 {
		t.Fatalf("got %d categories, want at least 20", len(c.cats))
	}
	if len(c.products) != 5000 {
		t.Fatalf("got %d products, want 5000", len(c.products))
	}
	departments, slugs := 0, map[string]bool{}
	for i, cat := range c.cats {
		if slugs[cat.Slug] || cat.Slug == "" {
			t.Errorf("category %q: slug %q is empty or repeated", cat.Name, cat.Slug)
		}
		slugs[cat.Slug] = true
		if c.catParent[i] < 0 {
			departments++
		} else if c.catParent[c.catParent[i]] >= 0 {
			t.Errorf("category %q is nested deeper than department > leaf", cat.Name)
		}
	}
	if departments < 6 {
		t.Errorf("got %d departments, want at least 6", departments)
	}
	for _, l := range c.leaves {
		if len(l.items) == 0 {
			t.Errorf("leaf %q has no products", l.vocab.Name)
		}
	}
	skus := map[string]bool{}
	for i, p := range c.products {
		if skus[p.ExternalID] || !strings.HasPrefix(p.ExternalID, "SKU-") {
			t.Errorf("product %d: bad or repeated SKU %q", i, p.ExternalID)
		}
		skus[p.ExternalID] = true
		if p.Title == "" || p.Slug == "" || len(p.Description) < 40 || p.Brand == "" {
			t.Errorf("product %s is incomplete: %+v", p.ExternalID, p)
		}
		if strings.Contains(strings.ToLower(p.Description), "lorem") {
			t.Errorf("product %s has placeholder text", p.ExternalID)
		}
		if p.PriceCents < 100 || p.PriceCents > 1_000_000 {
			t.Errorf("product %s: implausible price %d", p.ExternalID, p.PriceCents)
		}
		if p.CreatedAt.After(testNow) {
			t.Errorf("product %s created in the future", p.ExternalID)
		}
	}
}

// fingerprint summarises a seeded database: counts, the first products and
// a hash over every event.
func fingerprint(t *testing.T, db *models.DB) string {
	t.Helper()
	ctx := context.Background()
	counts, err := db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := db.AllProducts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].ExternalID < ps[j].ExternalID })
	var b strings.Builder
	fmt.Fprintf(&b, "%+v\n", counts)
	for _, p := range ps[:min(25, len(ps))] {
		fmt.Fprintf(&b, "%s %q %d %d %v\n", p.ExternalID, p.Title, p.PriceCents, p.Stock, p.Active)
	}
	its, err := db.Interactions(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	h := fnv.New64a()
	for _, it := range its {
		fmt.Fprintf(h, "%s|%s|%s|%d|%.2f\n", it.UserKey, it.ItemID, it.Type, it.CreatedAt.Unix(), it.Value)
	}
	fmt.Fprintf(&b, "%d interactions, hash %x\n", len(its), h.Sum64())
	return b.String()
}

func TestSeedIsDeterministic(t *testing.T) {
	a, b := openDB(t), openDB(t)
	sa, sb := mustSeed(t, a, tinyWorld), mustSeed(t, b, tinyWorld)
	if sa.Products != 400 || sa.Shoppers != 151 || sa.Events < 6000 {
		t.Errorf("summary = %+v, want 400 products, 151 shoppers, ≥ 6000 events", sa)
	}
	sa.Duration, sb.Duration = 0, 0
	if *sa != *sb {
		t.Errorf("summaries differ:\n%+v\n%+v", sa, sb)
	}
	fa, fb := fingerprint(t, a), fingerprint(t, b)
	if fa != fb {
		t.Errorf("same options gave different worlds:\n%s\n---\n%s", fa, fb)
	}
	other := tinyWorld
	other.Seed = 8
	c := openDB(t)
	mustSeed(t, c, other)
	if fingerprint(t, c) == fa {
		t.Error("a different seed gave the same world")
	}
}

func TestSeedRefusesNonEmptyUnlessReset(t *testing.T) {
	db := openDB(t)
	first := mustSeed(t, db, tinyWorld)
	_, err := Seed(context.Background(), db, tinyWorld, nil)
	if !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("second seed: err = %v, want ErrNotEmpty", err)
	}
	reset := tinyWorld
	reset.Reset = true
	again := mustSeed(t, db, reset)
	if again.Products != first.Products || again.Events != first.Events || again.Slots != first.Slots {
		t.Errorf("reseed = %+v, want the counts of %+v", again, first)
	}
	counts, err := db.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if counts.Products != int64(first.Products) || counts.Events != int64(first.Events) || counts.Slots != int64(first.Slots) {
		t.Errorf("after reset the database holds %+v, want exactly one world %+v", counts, first)
	}
}

func TestSeedAccountsLayoutAndPopularity(t *testing.T) {
	db := openDB(t)
	mustSeed(t, db, tinyWorld)
	ctx := context.Background()

	t.Run("accounts", func(t *testing.T) {
		s, err := db.AuthenticateShopper(ctx, DemoShopperEmail, DemoShopperPassword)
		if err != nil || s.ExternalID != DemoShopperID {
			t.Fatalf("demo shopper login: %v, %+v", err, s)
		}
		if _, err := db.AuthenticateShopper(ctx, "shopper00001@example.com", ShopperPassword); err != nil {
			t.Errorf("seeded shopper login: %v", err)
		}
		for _, c := range []struct{ email, pw, role string }{
			{DemoMerchEmail, DemoMerchPassword, models.RoleMerchandiser},
			{DemoAdminEmail, DemoAdminPassword, models.RoleAdmin},
		} {
			st, err := db.AuthenticateStaff(ctx, c.email, c.pw)
			if err != nil || st.Role != c.role {
				t.Errorf("staff %s: %v, %+v", c.email, err, st)
			}
		}
		orders, err := db.OrdersOf(ctx, s.ID)
		if err != nil || len(orders) == 0 {
			t.Errorf("demo shopper has %d orders (%v), want some", len(orders), err)
		}
		its, err := db.UserInteractions(ctx, DemoShopperID, time.Time{}, 1000)
		if err != nil || len(its) < 100 {
			t.Errorf("demo shopper has %d interactions (%v), want a real history", len(its), err)
		}
	})

	t.Run("layout", func(t *testing.T) {
		slots, v, err := db.PublishedLayout(ctx, models.HomePage)
		if err != nil {
			t.Fatal(err)
		}
		if v == nil {
			t.Fatal("layout was not published")
		}
		want := []string{models.SlotHero, models.SlotRecommended, models.SlotBecauseViewed, models.SlotTrending,
			models.SlotCategory, models.SlotNewArrivals, models.SlotCollection, models.SlotRecentlyViewed, models.SlotPopular}
		if len(slots) != len(want) {
			t.Fatalf("got %d slots, want %d", len(slots), len(want))
		}
		for i, s := range slots {
			if s.Type != want[i] || s.Position != i+1 || s.Size != 8 || !s.Enabled || s.Audience != "everyone" {
				t.Errorf("slot %d = %+v, want type %s at position %d", i, s, want[i], i+1)
			}
			if err := models.ValidateSlot(&s); err != nil {
				t.Errorf("slot %s invalid: %v", s.Type, err)
			}
		}
		// The draft as stored, before any reading normalizes it, uses the
		// recommender's names only.
		draft, _, err := db.DraftSlots(ctx, models.HomePage)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range draft {
			if err := models.ValidateSlot(&s); err != nil {
				t.Errorf("stored slot %s invalid: %v", s.Type, err)
			}
		}
		if !slots[0].Locked || slots[0].Link != "/l/"+DemoCampaign {
			t.Errorf("hero = %+v, want locked and linking to the campaign page", slots[0])
		}
		camp, err := db.CampaignBySlug(ctx, DemoCampaign)
		if err != nil || !camp.Live(tinyWorld.Now) || camp.PublishedVersionID == nil {
			t.Fatalf("demo campaign %+v (%v), want published and live", camp, err)
		}
		cslots, _, err := db.PublishedLayout(ctx, camp.Key)
		if err != nil || len(cslots) == 0 || cslots[0].Type != models.SlotBanner || len(cslots[0].Creatives) != 3 {
			t.Fatalf("campaign slots %+v (%v), want a banner with three creatives first", cslots, err)
		}
		for _, s := range cslots {
			if err := models.ValidateSlot(&s); err != nil {
				t.Errorf("campaign slot %s invalid: %v", s.Title, err)
			}
		}
		// The hero's cards are in-stock sale products.
		for _, ext := range strings.Split(slots[0].Pins, ",") {
			p, err := db.ProductByExternalID(ctx, ext)
			if err != nil || !p.OnSale() || !p.InStock() {
				t.Errorf("hero pin %s is not an in-stock sale product (%v)", ext, err)
			}
		}
		pins := strings.Split(slots[6].Pins, ",")
		if len(pins) < 4 {
			t.Errorf("editor's picks pin %d products, want several", len(pins))
		}
		for _, ext := range pins {
			p, err := db.ProductByExternalID(ctx, ext)
			if err != nil || !p.InStock() {
				t.Errorf("pinned %s: %v (in stock: %v)", ext, err, p != nil && p.InStock())
			}
		}
	})

	t.Run("catalog", func(t *testing.T) {
		ps, err := db.AllProducts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		popular, inactive := 0, 0
		for _, p := range ps {
			if p.Popularity > 0 {
				popular++
			}
			if !p.Active {
				inactive++
			}
		}
		if popular < len(ps)/2 {
			t.Errorf("%d of %d products have a popularity, want most", popular, len(ps))
		}
		if inactive == 0 || inactive > len(ps)/10 {
			t.Errorf("%d of %d products inactive, want a few", inactive, len(ps))
		}
		cats, err := db.Categories(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(cats) < 20 {
			t.Errorf("%d categories stored, want at least 20", len(cats))
		}
	})
}

// TestBehaviourIsLearnable checks the property the recommender depends on:
// on a time split, knowing a shopper's categories from their past beats
// global popularity by a wide margin. The "taste" baseline here is crude
// (popular items of the shopper's past categories); a trained model should
// do at least as well.
func TestBehaviourIsLearnable(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a full small world")
	}
	o := Options{Seed: DefaultSeed, Now: testNow}.resolved()
	w, err := generate(o)
	if err != nil {
		t.Fatal(err)
	}
	evs := w.beh.events
	split := evs[int(float64(len(evs))*0.8)].at
	weight := [...]float64{1, 2, 4, 8, 0}
	pop := map[int32]float64{}
	leafPop := map[int32]float64{}
	seen := map[int32]map[int32]bool{}
	affinity := map[int32]map[int32]float64{}
	test := map[int32]map[int32]bool{}
	for _, e := range evs {
		if e.item < 0 {
			continue
		}
		if e.at < split {
			pop[e.item] += weight[e.typ]
			if seen[e.user] == nil {
				seen[e.user], affinity[e.user] = map[int32]bool{}, map[int32]float64{}
			}
			seen[e.user][e.item] = true
			affinity[e.user][w.cat.prodLeaf[e.item]] += weight[e.typ]
		} else if seen[e.user] != nil && !seen[e.user][e.item] {
			if test[e.user] == nil {
				test[e.user] = map[int32]bool{}
			}
			test[e.user][e.item] = true
		}
	}
	for p, s := range pop {
		leafPop[p] = s
	}
	items := make([]int32, 0, len(pop))
	for p := range pop {
		items = append(items, p)
	}
	sort.Slice(items, func(i, j int) bool {
		return pop[items[i]] > pop[items[j]] || (pop[items[i]] == pop[items[j]] && items[i] < items[j])
	})

	ndcg := func(ranked []int32, relevant map[int32]bool) float64 {
		var dcg, idcg float64
		for i, p := range ranked {
			if relevant[p] {
				dcg += 1 / math.Log2(float64(i+2))
			}
		}
		for i := 0; i < min(len(relevant), len(ranked)); i++ {
			idcg += 1 / math.Log2(float64(i+2))
		}
		return dcg / idcg
	}
	const k = 10
	var popSum, tasteSum float64
	users := 0
	for u, rel := range test {
		users++
		var byPop []int32
		for _, p := range items {
			if !seen[u][p] {
				byPop = append(byPop, p)
				if len(byPop) == k {
					break
				}
			}
		}
		popSum += ndcg(byPop, rel)
		type scored struct {
			p int32
			s float64
		}
		var cand []scored
		for _, p := range items {
			if a := affinity[u][w.cat.prodLeaf[p]]; a > 0 && !seen[u][p] {
				cand = append(cand, scored{p, a * leafPop[p]})
			}
		}
		sort.Slice(cand, func(i, j int) bool { return cand[i].s > cand[j].s || (cand[i].s == cand[j].s && cand[i].p < cand[j].p) })
		var byTaste []int32
		for _, c := range cand[:min(k, len(cand))] {
			byTaste = append(byTaste, c.p)
		}
		tasteSum += ndcg(byTaste, rel)
	}
	popN, tasteN := popSum/float64(users), tasteSum/float64(users)
	t.Logf("%d test users: NDCG@10 popularity %.4f, taste-aware popularity %.4f (%.1f×)", users, popN, tasteN, tasteN/popN)
	if users < 1000 {
		t.Errorf("only %d users have held-out items, want at least 1000", users)
	}
	if tasteN < 2*popN {
		t.Errorf("taste-aware NDCG %.4f is not twice popularity %.4f: behaviour is not personal enough", tasteN, popN)
	}
}
