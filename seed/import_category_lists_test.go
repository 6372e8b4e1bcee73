package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// A supplier's file whose category cells each list 150 categories (bars
// between them, 600 characters: within a cell's bound). Every pair of a
// cell's categories was a set entry of the spread that tells departments
// from tags, so 800 such rows (480 kB) took about a gigabyte, and 2,000
// rows (1.2 MB) 106 s and 2.5 GB of `storefront import`, where an upload
// may be 64 MiB. The spread is now learned from the first categories of a
// cell and the first pairs met; each product is still filed under one of
// the categories it lists.
func TestLongCategoryListsCostWhatAShopsListsCost(t *testing.T) {
	db := openDB(t)
	const rows, listed = 800, 150
	names := make([]string, 0, 26*26*26)
	for a := 'a'; a <= 'z'; a++ {
		for b := 'a'; b <= 'z'; b++ {
			for c := 'a'; c <= 'z'; c++ {
				names = append(names, string([]rune{a, b, c}))
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var f strings.Builder
	f.WriteString("id,title,description,category,brand,price,stock,created_at\n")
	cells := map[string][]string{}
	for i := range rows {
		rng.Shuffle(len(names), func(a, b int) { names[a], names[b] = names[b], names[a] })
		id := fmt.Sprintf("P%d", i)
		cells[id] = append([]string(nil), names[:listed]...)
		fmt.Fprintf(&f, "%s,Item %d,d,%s,b,9.99,5,2026-01-01\n", id, i, strings.Join(names[:listed], "|"))
	}
	path := writeFile(t, "products.csv", f.String())

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	plan, err := PlanImport(context.Background(), db, ImportOptions{Products: path}, nil)
	runtime.ReadMemStats(&after)
	must(t, err)
	const bound = 200 << 20
	got := after.TotalAlloc - before.TotalAlloc
	t.Logf("planned %d rows of %d listed categories (%d kB): %d MiB allocated", rows, listed, f.Len()>>10, got>>20)
	if got > bound {
		t.Errorf("planning %d rows of %d listed categories (%d kB of file) allocated %d MiB, want under %d MiB",
			rows, listed, f.Len()>>10, got>>20, bound>>20)
	}
	_, err = plan.Apply(context.Background(), db)
	must(t, err)
	var filed []struct {
		ExternalID, Name string
	}
	must(t, db.R.Table("products").Select("products.external_id, categories.name").
		Joins("JOIN categories ON categories.id = products.category_id").Scan(&filed).Error)
	if len(filed) != rows {
		t.Fatalf("%d products imported, want %d", len(filed), rows)
	}
	for _, p := range filed {
		if !strings.Contains("|"+strings.Join(cells[p.ExternalID], "|")+"|", "|"+p.Name+"|") {
			t.Fatalf("%s is filed under %q, not one of the categories it lists", p.ExternalID, p.Name)
		}
	}
}
