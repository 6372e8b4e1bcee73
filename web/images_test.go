package web

import (
	"strings"
	"testing"
)

// The demo catalog's product types get their own illustration, and two
// products of one type differ by colour.
func TestProductImagesDifferByTypeAndColour(t *testing.T) {
	types := []struct{ title, category string }{
		{"Northpeak Ultralight Dome Tent", "Tents"}, {"Trailwise Hiking Backpack", "Backpacks"},
		{"Fjellstad Walking Boot", "Hiking Boots"}, {"Ridgeback Titanium Mug", "Camp Kitchen"},
		{"Voltaic Over-Ear Headphones", "Headphones"}, {"Copperleaf Wok", "Cookware"},
		{"Brickwell Jigsaw Puzzle", "Puzzles"}, {"Kōbō Chef's Knife", "Knives"},
		{"Lumen Labs Table Lamp", "Lighting"}, {"Sonorra Soundbar", "Speakers"},
		{"Pixelworks Action Camera", "Cameras"}, {"Helio Smartwatch", "Smartwatches"},
		{"Alpenglow Rain Jacket", "Jackets"}, {"Cairn Straight Jeans", "Jeans"},
		{"Wildmoor Teddy Bear", "Plush Toys"}, {"Savora Face Serum", "Skincare"},
	}
	seen := map[string]string{}
	for _, tt := range types {
		m := motifFor(tt.title, tt.category)
		if m == fallbackMotif {
			t.Errorf("%q has no illustration of its own", tt.title)
		}
		if prev, dup := seen[m]; dup {
			t.Errorf("%q and %q share an illustration", tt.title, prev)
		}
		seen[m] = tt.title
	}
	// Same type, different products: colours differ across a few of them.
	colours := map[string]bool{}
	for _, id := range []string{"SKU-1", "SKU-2", "SKU-3", "SKU-4", "SKU-5", "SKU-6"} {
		colours[productColour(id, "Northpeak Dome Tent").name] = true
	}
	if len(colours) < 3 {
		t.Errorf("six dome tents come in %d colours", len(colours))
	}
	// A colour or material named in the title is used.
	if c := productColour("x", "Maison Fer Copper Saucepan"); c.name != "orange" {
		t.Errorf("a copper saucepan is %s", c.name)
	}
	svg := drawProduct("SKU-1", `Tent "<x>"`, "Peak & Co", "Tents")
	if strings.Contains(svg, "<x>") || !strings.Contains(svg, "PEAK &amp; CO") {
		t.Errorf("title or brand not escaped: %s", svg)
	}
}
