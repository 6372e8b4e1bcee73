package search

import (
	"fmt"
	"testing"
)

// A shop selling products beside accessories named after them ("Replacement
// Ear Pads for Sonorra AX-900"): a shopper typing the product's name or
// model number wants the product first.
var accessoryShop = []struct {
	title, category string
	accessories     []string
}{
	{"Sonorra AX-900 Wireless Noise Cancelling Headphones, Black", "Audio Headphones",
		[]string{"Replacement Ear Pads for Sonorra AX-900", "Hard Travel Case for Sonorra AX-900 Headphones"}},
	{"Lumen Book Pro 14 Laptop 16GB 512GB, Silver", "Computers Laptops", []string{"Laptop Sleeve for Lumen Book Pro 14"}},
	{"Kestrel KD480 XR 18V Brushless Combi Drill", "Power Tools", []string{"Replacement Battery for Kestrel KD480, 18V 4.0Ah"}},
	{"Vista Q27UE 27\" 4K USB-C Monitor", "Computers Monitors", []string{"Monitor Arm for Vista Q27UE and 17-32\" Screens"}},
	{"Pulse Watch 5 GPS 41mm Smartwatch, Black", "Wearables Smartwatches", []string{"Sport Band for Pulse Watch 5, Black"}},
}

func accessoryShopDocs() (docs []Doc, product map[string]uint) {
	product = map[string]uint{}
	add := func(title, category, desc string) uint {
		id := uint(len(docs) + 1)
		docs = append(docs, Doc{ID: id, Title: title, Category: category, Description: desc})
		return id
	}
	for _, p := range accessoryShop {
		product[p.title] = add(p.title, p.category, "Free delivery and 30-day returns.")
		for _, a := range p.accessories {
			add(a, "Accessories", fmt.Sprintf("Compatible with the %s.", p.title))
		}
	}
	// Other products, so that the words' frequencies are a shop's.
	for i := 0; i < 200; i++ {
		add(fmt.Sprintf("Braided Charging Cable, %d Metres", i%3+1), "Accessories Cables", "Charges phones and laptops.")
	}
	return docs, product
}

func TestAProductLeadsTheAccessoriesMadeForIt(t *testing.T) {
	docs, product := accessoryShopDocs()
	ix := openTest(t, "", docs)
	for _, tc := range []struct{ q, want string }{
		{"ax-900", accessoryShop[0].title},
		{"ax900", accessoryShop[0].title},
		{"sonorra ax-900", accessoryShop[0].title},
		{"lumen book pro 14", accessoryShop[1].title},
		{"kd480", accessoryShop[2].title},
		{"kestrel kd480", accessoryShop[2].title},
		{"q27ue", accessoryShop[3].title},
		{"pulse watch 5", accessoryShop[4].title},
	} {
		r := search(t, ix, tc.q)
		if len(r.IDs) == 0 || r.IDs[0] != product[tc.want] {
			first := "nothing"
			if len(r.IDs) > 0 {
				first = docs[r.IDs[0]-1].Title
			}
			t.Errorf("%q: first %q, want %q", tc.q, first, tc.want)
		}
		if r.Full < 2 {
			t.Errorf("%q: %d full matches, want the accessories made for it too", tc.q, r.Full)
		}
	}
}

func TestTitlePartsSplitAtTheForClause(t *testing.T) {
	for _, tc := range []struct{ title, lang, head, fits string }{
		{"Replacement Ear Pads for Sony WH-1000XM5", English, "replacement ear pads", "for sony wh-1000xm5"},
		{"Case Compatible with iPhone 15, Clear", English, "case", "compatible with iphone 15, clear"},
		{"Sony WH-1000XM5 Headphones, Black", English, "Sony WH-1000XM5 Headphones, Black", ""},
		{"Bose QuietComfort 45 Headphones", English, "Bose QuietComfort 45 Headphones", ""}, // "for" inside a word
		{"For Her Eau de Parfum", English, "For Her Eau de Parfum", ""},                     // nothing before it
		{"Housse pour MacBook Air 13", French, "housse", "pour macbook air 13"},
		{"Schutzhülle für iPhone 15", German, "schutzhülle", "für iphone 15"},
		{"Perfume Spray", Italian, "Perfume Spray", ""},
	} {
		head, fits := titleParts(tc.title, tc.lang)
		if head != tc.head || fits != tc.fits {
			t.Errorf("titleParts(%q, %s) = %q, %q; want %q, %q", tc.title, tc.lang, head, fits, tc.head, tc.fits)
		}
	}
}
