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
		m, ok := motifFor(tt.title, tt.category)
		if !ok {
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
		c, _ := productColour(id, "Northpeak Dome Tent")
		colours[c.name] = true
	}
	if len(colours) < 3 {
		t.Errorf("six dome tents come in %d colours", len(colours))
	}
	// A colour or material named in the title is used.
	if c, _ := productColour("x", "Maison Fer Copper Saucepan"); c.name != "orange" {
		t.Errorf("a copper saucepan is %s", c.name)
	}
	// A colour wins over a material named before it.
	if c, _ := productColour("x", "Merino Crew – Forest Green – M"); c.name != "forest green" {
		t.Errorf("a forest green merino crew is %s", c.name)
	}
	svg := drawProduct("SKU-1", `Tent "<x>"`, "Peak & Co", "Tents")
	if strings.Contains(svg, "<x>") || !strings.Contains(svg, "PEAK &amp; CO") {
		t.Errorf("title or brand not escaped: %s", svg)
	}
}

// A product is drawn only as a kind its title or category really names: a
// grocery's "pack", "tin", "bar" or "rings", a title in another language
// or a kind the shop cannot draw get the neutral picture (initials on the
// category's colour), never a backpack, a frying pan or a dumbbell.
func TestUnknownKindsGetTheNeutralPicture(t *testing.T) {
	for _, tt := range []struct{ title, brand, category, initials string }{
		{"Hovis Plain Bagels 5 pack", "Hovis", "Bakery", "PB"},
		{"Pink Lady Apples 6 pack", "Pink Lady", "Fruit & Vegetables", "AP"},
		{"Napolina Chickpeas in Water 400g tin", "Napolina", "Tins & Jars", "CW"},
		{"Cadbury Dairy Milk Chocolate Bar 110g", "Cadbury", "Chocolate & Sweets", "DM"},
		{"Kettle Chips Sea Salt 150g", "Kettle", "Crisps & Snacks", "CS"},
		{"Onion Rings 80g", "Walkers", "Crisps & Snacks", "OR"},
		{"Cookie Dough Ice Cream 465ml", "Ben & Jerry's", "Frozen", "CD"},
		{"English Breakfast Tea 80 bags", "Twinings", "Tea & Coffee", "EB"},
		{"Haribo Gold Bears 140g", "Haribo", "Chocolate & Sweets", "GB"},
		{"Pan de molde integral con semillas", "Bimbo", "Panadería", "PM"},
		{"Yaourt à la fraise 4 x 125 g", "Danone", "Crèmerie", "YF"},
		{"Гречневая крупа 900 г", "Увелка", "Крупы", "ГК"},
		{"Brightwell Stand Mixer", "Brightwell", "Small Appliances", "SM"},
	} {
		if _, ok := motifFor(tt.title, tt.category); ok {
			t.Errorf("%q in %q gets a drawing", tt.title, tt.category)
		}
		svg := drawProduct("G1", tt.title, tt.brand, tt.category)
		if !strings.Contains(svg, `data-picture="placeholder"`) || !strings.Contains(svg, ">"+tt.initials+"</text>") {
			t.Errorf("%q is not the neutral picture with initials %q: %s", tt.title, tt.initials, svg)
		}
		for _, m := range motifs {
			if strings.Contains(svg, m.svg[:40]) {
				t.Errorf("%q's neutral picture draws the %s motif", tt.title, m.words[0])
			}
		}
	}
	// One category's neutral pictures share a colour; another's differs.
	hueOf := func(svg string) string { return svg[strings.Index(svg, "hsl(") : strings.Index(svg, "hsl(")+8] }
	a, b := drawProduct("1", "Plain Bagels", "", "Bakery"), drawProduct("2", "Sourdough Loaf", "", "Bakery")
	if hueOf(a) != hueOf(b) || hueOf(a) == hueOf(drawProduct("3", "Cheddar", "", "Dairy")) {
		t.Errorf("neutral colours by category: %s %s %s", hueOf(a), hueOf(b), hueOf(drawProduct("3", "Cheddar", "", "Dairy")))
	}
	// A kind's own word is drawn in any category; an ambiguous word only
	// in a category of its kind; a one-kind category draws its kind.
	for _, tt := range []struct{ title, category, kind string }{
		{"Northpeak Dome Tent", "Sale", "tent"},
		{"Acme Hiking Backpack 30 L", "New In", "backpack"},
		{"Hearthstone Loaf Tin", "Bakeware", "pan"},
		{"Northpeak Trekking Pack", "Backpacks", "backpack"},
		{"A Forgotten House", "Fiction", "book"},
	} {
		svg, ok := motifFor(tt.title, tt.category)
		if i, _ := motifOf(tt.kind); !ok || svg != motifs[i].svg {
			t.Errorf("%q in %q is not drawn as a %s", tt.title, tt.category, tt.kind)
		}
	}
	if svg := drawProduct("G9", `<b onload="x">Crusty</b> Loaf`, "Bread & Co", "Bakery"); strings.Contains(svg, "<b") || !strings.Contains(svg, "BREAD &amp; CO") {
		t.Errorf("the neutral picture's text is not escaped: %s", svg)
	}
	// Labels are the title's first words, not its last.
	if svg := drawProduct("T1", "Northpeak Ultralight Ripstop Nylon Dome Tent", "Northpeak", "Tents"); !strings.Contains(svg, "Ultralight Ripstop…") {
		t.Errorf("the tent's label: %s", svg)
	}
}

// TestShirtsAreDrawnAsShirts: an imported clothing shop's shirts ("Trail
// Shirt", "Flannel Overshirt", "Oxford Button-Down", and in a Shirts
// category "Merino Crew": the names of their groups, which their cards
// and pages draw) were drawn as initials while its tees had a shirt;
// hoodies and puffers are drawn as what they are.
func TestShirtsAreDrawnAsShirts(t *testing.T) {
	tee, _ := motifFor("Organic Cotton T-Shirt", "Clothing")
	jumper, _ := motifFor("Merino Sweater", "Clothing")
	coat, _ := motifFor("Wool Coat", "Clothing")
	for _, tt := range []struct{ title, category, want string }{
		{"Trail Shirt", "Clothing", tee}, {"Flannel Overshirt", "Clothing", tee},
		{"Oxford Button-Down", "Clothing", tee}, {"Merino Crew", "Shirts", tee},
		{"Softshell Hoodie", "Clothing", jumper}, {"Down Puffer", "Clothing", coat},
	} {
		if m, ok := motifFor(tt.title, tt.category); !ok || m != tt.want {
			t.Errorf("%q in %s is not drawn as its kind (drawn: %v)", tt.title, tt.category, ok)
		}
	}
	// A product of such a group is drawn as its kind in its own colour,
	// though its title ends in a colour and a size.
	svg := drawNamed("P1", "Trail Shirt – Red – S", "Trail Shirt", "Fjellwear", "Clothing")
	if !strings.Contains(svg, `<path d="M88 60 Q120 74`) || !strings.Contains(svg, "Trail Shirt · red") {
		t.Errorf("Trail Shirt – Red – S is drawn\n%s", svg)
	}
}

// TestColoursTheShopDidNotKnow: titles naming a colour the shop's palette
// lacked (oatmeal, sage, terracotta) were drawn in a colour drawn from the
// id, a terracotta knife purple, and the picture's label named that colour.
// Now such a name takes its shade (the shop's list of clothes' and
// homewares' colours, else the CSS colour names), a name of two words takes
// a colour from a word it knows ("Navy Blue" is navy, "Heather Grey" grey),
// a group's option the shop cannot read as a colour is drawn in a neutral
// stone and named as written, and a colour drawn from the id is not named.
func TestColoursTheShopDidNotKnow(t *testing.T) {
	for title, want := range map[string]string{
		"Terracotta Chef Knife":      "#c8694a",
		"Oatmeal Fitted Sheet":       "#d8ccb4",
		"Sage Watering Can":          "#9caf88",
		"Heather Grey Duvet Cover":   "#7b8188",
		"Navy Blue Weighted Blanket": "#27375e",
		"Chunky Knit Throw-Oatmeal":  "#d8ccb4",
		"Tan Leather Boot":           "#d2b48c", // CSS
		"Plum Ceramic Vase":          "#dda0dd", // CSS
	} {
		c, named := productColour("x", title)
		if !named || c.fill != want {
			t.Errorf("%q is drawn %s (%s, named %v), want %s", title, c.fill, c.name, named, want)
		}
	}
	// An option the shop cannot read: neutral, named as written.
	svg := drawNamed("T1", "Chunky Knit Blanket-Biscotti", "Chunky Knit Blanket", "Hearth", "Bedding")
	if !strings.Contains(svg, neutralColour.fill) || !strings.Contains(svg, "· Biscotti") {
		t.Errorf("Chunky Knit Blanket-Biscotti is drawn\n%s", svg)
	}
	// A size is no colour: the drawing keeps its colour, unnamed.
	svg = drawNamed("T2", "Trail Shirt – XL", "Trail Shirt", "Fjellwear", "Clothing")
	if strings.Contains(svg, neutralColour.fill) || strings.Contains(svg, "Trail Shirt ·") {
		t.Errorf("Trail Shirt – XL is drawn\n%s", svg)
	}
	// A colour drawn from the id is not named on the picture.
	if svg := drawProduct("SKU-1", "Northpeak Dome Tent", "Northpeak", "Tents"); strings.Contains(svg, " · ") {
		t.Errorf("a tent whose title names no colour is labelled\n%s", svg)
	}
}
