package seed

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"storefront/models"
)

// catalog is the generated category tree and products, held in memory
// until they are written. Indexes, not database ids, link things together.
type catalog struct {
	cats      []models.Category // departments first, then leaves
	catParent []int             // index of the parent in cats, -1 for a department
	leaves    []leafState
	products  []models.Product // CategoryID is filled in after categories are stored
	prodLeaf  []int32          // leaf index of each product
	prodBrand []int32          // index into brands
	logPrice  []float64
	created   []int64 // unix seconds
	brands    []string
}

// leafState is a leaf category with its products in popularity-rank order.
type leafState struct {
	vocab  *leaf
	dept   int
	cat    int       // index into catalog.cats
	items  []int32   // product indexes, most popular first
	cum    []float64 // cumulative Zipf weights over items
	logMed float64   // log of the median price
	pair   int       // leaf index of the co-purchase partner, -1 for none
	trend  []int32   // products trending in the last days
}

// zipfExponent shapes item popularity inside a leaf: a few best sellers and
// a long tail.
const zipfExponent = 1.05

// buildCatalog generates the category tree and n products. It touches no
// database and depends only on seed and now.
func buildCatalog(seed int64, now time.Time, n int) *catalog {
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	c := &catalog{}
	brandIdx := map[string]int32{}
	slugs := map[string]bool{}
	uniqueSlug := func(parts ...string) string {
		s := models.Slugify(parts[len(parts)-1])
		if slugs[s] && len(parts) > 1 {
			s = models.Slugify(strings.Join(parts, " "))
		}
		base := s
		for i := 2; slugs[s]; i++ {
			s = fmt.Sprintf("%s-%d", base, i)
		}
		slugs[s] = true
		return s
	}
	for di := range departments {
		d := &departments[di]
		c.cats = append(c.cats, models.Category{Name: d.Name, Slug: uniqueSlug(d.Name), Position: di + 1})
		c.catParent = append(c.catParent, -1)
		for _, b := range d.Brands {
			if _, ok := brandIdx[b]; !ok {
				brandIdx[b] = int32(len(c.brands))
				c.brands = append(c.brands, b)
			}
		}
	}
	leafByName := map[string]int{}
	for di := range departments {
		d := &departments[di]
		for li := range d.Leaves {
			l := &d.Leaves[li]
			leafByName[l.Name] = len(c.leaves)
			c.leaves = append(c.leaves, leafState{vocab: l, dept: di, cat: len(c.cats), logMed: math.Log(l.Price), pair: -1})
			c.cats = append(c.cats, models.Category{Name: l.Name, Slug: uniqueSlug(d.Name, l.Name), Position: li + 1})
			c.catParent = append(c.catParent, di)
		}
	}
	for i := range c.leaves {
		if p, ok := leafByName[c.leaves[i].vocab.Pair]; ok {
			c.leaves[i].pair = p
		}
	}

	// Leaves get unequal shares of the catalog, like a real shop.
	share := make([]float64, len(c.leaves))
	var total float64
	for i := range share {
		share[i] = math.Exp(0.35 * rng.NormFloat64())
		total += share[i]
	}
	counts := make([]int, len(c.leaves))
	assigned := 0
	for i := range counts {
		counts[i] = max(1, int(float64(n)*share[i]/total))
		assigned += counts[i]
	}
	for i := 0; assigned < n; i = (i + 1) % len(counts) {
		counts[i]++
		assigned++
	}
	for i := 0; assigned > n; i = (i + 1) % len(counts) {
		if counts[i] > 1 {
			counts[i]--
			assigned--
		}
	}

	titles := map[string]bool{}
	c.products = make([]models.Product, 0, n)
	for li := range c.leaves {
		ls := &c.leaves[li]
		d := &departments[ls.dept]
		for k := 0; k < counts[li]; k++ {
			idx := int32(len(c.products))
			brand := d.Brands[rng.IntN(len(d.Brands))]
			title, format := productTitle(rng, d, ls.vocab, brand)
			for try := 0; titles[title]; try++ {
				if ls.vocab.Book {
					title = fmt.Sprintf("%s, Book %d", strings.Split(title, ", Book")[0], try+2)
				} else {
					title = fmt.Sprintf("%s – %s", strings.Split(title, " – ")[0], variants[(try+k)%len(variants)])
					if try >= len(variants) {
						title = fmt.Sprintf("%s %d", title, try)
					}
				}
			}
			titles[title] = true
			logP := ls.logMed + ls.vocab.Spread*clamp(rng.NormFloat64(), -2.5, 2.5)
			price := charmPrice(math.Exp(logP), rng)
			created := productCreated(rng, now)
			stock := 5 + int(195*math.Pow(rng.Float64(), 2))
			if rng.Float64() < 0.07 {
				stock = 0
			}
			c.products = append(c.products, models.Product{
				ExternalID:  fmt.Sprintf("SKU-%05d", 10001+int(idx)),
				Slug:        models.Slugify(title),
				Title:       title,
				Description: productDescription(rng, d, ls.vocab, title, brand, format),
				Brand:       brand,
				PriceCents:  price,
				Stock:       stock,
				Active:      rng.Float64() >= 0.015,
				CreatedAt:   created,
				UpdatedAt:   created,
			})
			c.prodLeaf = append(c.prodLeaf, int32(li))
			c.prodBrand = append(c.prodBrand, brandIdx[brand])
			c.logPrice = append(c.logPrice, math.Log(float64(price)/100))
			c.created = append(c.created, created.Unix())
			ls.items = append(ls.items, idx)
		}
		// Popularity rank is independent of generation order.
		rng.Shuffle(len(ls.items), func(i, j int) { ls.items[i], ls.items[j] = ls.items[j], ls.items[i] })
		ls.cum = make([]float64, len(ls.items))
		var sum float64
		for r := range ls.items {
			sum += 1 / math.Pow(float64(r+1), zipfExponent)
			ls.cum[r] = sum
		}
	}
	c.putOnSale(seed)
	return c
}

// saleLeaves are the categories of the demo hero's sale ("tents, packs and
// boots"); a few products elsewhere are discounted too.
var saleLeaves = map[string]bool{"Tents": true, "Backpacks": true, "Hiking Boots": true}

// putOnSale gives some products a compare-at (regular) price above the
// price they sell at. It draws from its own random stream, so the rest of
// the demo world is the same with or without sales.
func (c *catalog) putOnSale(seed int64) {
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	for i := range c.products {
		p := &c.products[i]
		chance, discounts := 0.05, []int64{10, 15, 20}
		if saleLeaves[c.leaves[c.prodLeaf[i]].vocab.Name] {
			chance, discounts = 0.4, []int64{15, 20, 25, 30}
		}
		if rng.Float64() >= chance {
			continue
		}
		d := discounts[rng.IntN(len(discounts))]
		// The regular price ends in .99 like the others, at or just above
		// the price the discount implies.
		compare := int64(math.Ceil(float64(p.PriceCents)/float64(100-d)))*100 - 1
		if compare > p.PriceCents {
			p.CompareAtCents = compare
		}
	}
}

// heroSale returns the best-ranked in-stock sale products of the hero's
// categories (for its cards) and the largest discount among the in-stock
// ones (for its promise).
func (c *catalog) heroSale(n int) (pins []string, maxDiscount int) {
	for li := range c.leaves {
		ls := &c.leaves[li]
		if !saleLeaves[ls.vocab.Name] {
			continue
		}
		for _, idx := range ls.items {
			p := &c.products[idx]
			if p.OnSale() && p.InStock() {
				maxDiscount = max(maxDiscount, p.DiscountPercent())
			}
		}
	}
	// One product per sale category in turn, most popular first.
	for round := 0; len(pins) < n && round < 50; round++ {
		for li := range c.leaves {
			ls := &c.leaves[li]
			if !saleLeaves[ls.vocab.Name] || len(pins) >= n {
				continue
			}
			seen := 0
			for _, idx := range ls.items {
				p := &c.products[idx]
				if p.OnSale() && p.InStock() {
					if seen == round {
						pins = append(pins, p.ExternalID)
						break
					}
					seen++
				}
			}
		}
	}
	return pins, maxDiscount
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

// productTitle composes a title from the vocabularies; format is the book
// edition (or the material) so the description can mention it.
func productTitle(rng *rand.Rand, d *department, l *leaf, brand string) (title, format string) {
	pick := func(xs []string) string {
		if len(xs) == 0 {
			return ""
		}
		return xs[rng.IntN(len(xs))]
	}
	if l.Book {
		adjs := append(append([]string{}, d.Adjectives...), l.Adjs...)
		noun := pick(l.Nouns)
		switch rng.IntN(3) {
		case 0:
			title = "The " + pick(adjs) + " " + noun
		case 1:
			title = "A " + pick(adjs) + " " + noun
		default:
			title = "The " + noun + " of " + pick(lastNames)
		}
		return title, pick(l.Materials)
	}
	parts := []string{brand}
	if rng.Float64() < 0.75 {
		if len(l.Adjs) > 0 && rng.Float64() < 0.5 {
			parts = append(parts, pick(l.Adjs))
		} else {
			parts = append(parts, pick(d.Adjectives))
		}
	}
	material := ""
	if rng.Float64() < 0.65 {
		material = pick(l.Materials)
		if material != "" {
			parts = append(parts, material)
		}
	}
	parts = append(parts, pick(l.Nouns))
	return strings.Join(parts, " "), material
}

// productDescription writes two or three sentences from the leaf's features.
func productDescription(rng *rand.Rand, d *department, l *leaf, title, brand, format string) string {
	f := rng.Perm(len(l.Features))
	var b strings.Builder
	if l.Book {
		author := firstNames[rng.IntN(len(firstNames))] + " " + lastNames[rng.IntN(len(lastNames))]
		fmt.Fprintf(&b, "%s by %s %s. It %s. %s edition from %s, %d pages. %s",
			title, author, l.Features[f[0]], l.Features[f[1]], format, brand, 96+rng.IntN(400), d.Closing[rng.IntN(len(d.Closing))])
		return b.String()
	}
	if format != "" {
		verb := "made from"
		if d.Name == "Beauty" {
			verb = "made with"
		}
		fmt.Fprintf(&b, "The %s is %s %s. ", title, verb, lowerMaterial(format))
	} else {
		fmt.Fprintf(&b, "Meet the %s. ", title)
	}
	fmt.Fprintf(&b, "It %s and %s.", l.Features[f[0]], l.Features[f[1]])
	if len(f) > 2 && rng.Float64() < 0.6 {
		if rest, ok := strings.CutPrefix(l.Features[f[2]], "is "); ok {
			fmt.Fprintf(&b, " It is also %s.", rest)
		} else {
			fmt.Fprintf(&b, " It also %s.", l.Features[f[2]])
		}
	}
	b.WriteString(" " + d.Closing[rng.IntN(len(d.Closing))])
	return b.String()
}

// charmPrice rounds a price to what shops print: 7.49, 24.99, 179.00.
func charmPrice(p float64, rng *rand.Rand) int64 {
	switch {
	case p < 2:
		return 199
	case p < 10:
		return int64(p)*100 + []int64{49, 95, 99}[rng.IntN(3)]
	case p < 100:
		if rng.Float64() < 0.75 {
			return int64(p)*100 + 99
		}
		return int64(math.Round(p)) * 100
	default:
		whole := int64(math.Round(p/5)) * 5
		if rng.Float64() < 0.5 {
			return whole*100 - 1
		}
		return whole * 100
	}
}

// productCreated spreads launch dates: most of the catalog is old, some
// arrived during the behaviour window and a few in the last two weeks.
func productCreated(rng *rand.Rand, now time.Time) time.Time {
	day := 24 * time.Hour
	var from, to time.Duration
	switch u := rng.Float64(); {
	case u < 0.75:
		from, to = 730*day, 91*day
	case u < 0.95:
		from, to = 90*day, 14*day
	default:
		from, to = 14*day, time.Hour
	}
	ago := to + time.Duration(rng.Int64N(int64(from-to)))
	return now.Add(-ago).Truncate(time.Second)
}

// leafBySlug finds a leaf index by its category slug.
func (c *catalog) leafBySlug(slug string) int {
	for i := range c.leaves {
		if c.cats[c.leaves[i].cat].Slug == slug {
			return i
		}
	}
	return -1
}

// properWords keep their capital inside a sentence.
var properWords = map[string]bool{"Cordura": true, "Dyneema": true, "Damascus": true, "German": true, "Japanese": true, "Supima": true, "Pima": true, "Scottish": true}

// lowerMaterial lower-cases a material for use mid-sentence, keeping brand
// names and abbreviations ("Gore-Tex", "PET", "Vitamin C").
func lowerMaterial(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		upper := 0
		for _, r := range w {
			if r >= 'A' && r <= 'Z' {
				upper++
			}
		}
		if properWords[w] || upper >= 2 || len(w) == 1 {
			continue
		}
		words[i] = strings.ToLower(w)
	}
	return strings.Join(words, " ")
}
