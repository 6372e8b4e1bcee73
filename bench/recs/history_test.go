package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestByHistoryGroupsShoppersByTheirDistinctProducts: the breakdown puts
// each test shopper in the bucket of the distinct products in their
// training history and prints each list's mean NDCG there and its ratio
// to item-kNN.
func TestByHistoryGroupsShoppersByTheirDistinctProducts(t *testing.T) {
	for n, want := range map[int]string{1: "1–3", 3: "1–3", 4: "4–7", 7: "4–7", 8: "8–15", 15: "8–15", 16: "16+", 400: "16+"} {
		if got := historyBuckets[historyBucket(n)].name; got != want {
			t.Errorf("a history of %d products in bucket %s, want %s", n, got, want)
		}
	}
	seen := map[string]map[string]bool{
		"short": {"a": true, "b": true},
		"mid":   {"a": true, "b": true, "c": true, "d": true, "e": true, "f": true, "g": true, "h": true, "i": true},
		"mid2":  {"a": true, "b": true, "c": true, "d": true, "e": true, "f": true, "g": true, "h": true},
	}
	h := newByHistory(seen, []string{"short", "mid", "mid2"})
	for u, v := range map[string][2]float64{"short": {0.5, 1}, "mid": {0.4, 0.2}, "mid2": {0.2, 0.2}} {
		h.add("item-kNN", u, v[0])
		h.add("hybrid", u, v[1])
		h.add("ease alone", u, v[1])
	}
	var out bytes.Buffer
	h.print(&out, "w")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want a header and the two buckets with shoppers:\n%s", len(lines), out.String())
	}
	if f := strings.Fields(lines[0]); f[len(f)-1] != "hybrid/kNN" || strings.Contains(lines[0], "alone/kNN") {
		t.Errorf("header %q: want the hybrid's ratio to item-kNN last and none for a part alone", lines[0])
	}
	for _, c := range []struct{ line, want string }{
		{lines[1], "1–3 1 0.5000 1.0000 1.0000 2.00×"},
		{lines[2], "8–15 2 0.3000 0.2000 0.2000 0.67×"},
	} {
		if got := strings.Join(strings.Fields(c.line), " "); got != c.want {
			t.Errorf("row %q, want %q", got, c.want)
		}
	}
}

// TestAShopsOwnDatabaseIsScoredByHistoryLength: -db scores the data of a
// storefront database (as `storefront import` left it) beside the
// generated worlds, with the per-history-length table.
func TestAShopsOwnDatabaseIsScoredByHistoryLength(t *testing.T) {
	spec := worldSpec{Name: "tiny", Items: 120, Users: 150, Cats: 5, Styles: 3, Days: 30, Sessions: 3, Views: 3,
		TasteCats: 2, PopSkew: 0.8, CartRate: 0.2, BuyRate: 0.5, Seed: 12}
	db, _, err := importWorld(t, generate(spec))
	if err != nil {
		t.Fatal(err)
	}
	path := db.Path
	var out, log bytes.Buffer
	if err := run([]string{"-db", path, "-worlds", "none", "-movielens", "", "-tune-budget", "0", "-by-history"}, &out, &log); err != nil {
		t.Fatalf("run: %v\n%s", err, log.String())
	}
	name := shopName(path)
	if !strings.HasSuffix(name, "/shop") {
		t.Errorf("the world is named %q, want its directory and file", name)
	}
	if !strings.Contains(out.String(), name+" by history length") {
		t.Errorf("no per-history-length table for %s:\n%s", name, out.String())
	}
	var row string
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), name+" ") {
			row = l
		}
	}
	if f := strings.Fields(row); len(f) < 3 || f[2] == "0" {
		t.Errorf("the shop's results row %q: want its test users", row)
	}
}
