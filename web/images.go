package web

import (
	"fmt"
	"hash/fnv"
	"html"
	"net/http"
	"slices"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"
	"golang.org/x/image/colornames"

	"storefront/recommender"
)

// productImage draws a product picture as SVG so the shop looks complete
// without any image files: an illustration of the product's type (a tent,
// a boot, a mug…) in the product's colour when its title or category names
// a kind the shop can draw, else its initials on its category's colour;
// with its brand and name.
func (s *Server) productImage(c echo.Context) error {
	id, ok := parseProductID(strings.TrimSuffix(c.Param("id"), ".svg"))
	if !ok {
		return echo.ErrNotFound
	}
	cat := s.shop.Catalog()
	p, ok := cat.Product(id)
	if !ok {
		return echo.ErrNotFound
	}
	catName := ""
	if n := cat.CategoryOf(p); n != nil {
		catName = n.Name
	}
	svg := drawNamed(p.ExternalID, p.Title, cat.DisplayName(p), p.Brand, catName)
	// The drawing names the product's group, which a rename of any of its
	// products changes: a browser asks again each time (a 304 when the
	// drawing is the same), so a rename shows at once. Cached for a day,
	// a renamed group's pictures kept the old name that long.
	h := fnv.New64a()
	h.Write([]byte(svg))
	etag := fmt.Sprintf(`"%x"`, h.Sum64())
	c.Response().Header().Set("Cache-Control", "public, no-cache")
	c.Response().Header().Set("ETag", etag)
	if etagMatches(c.Request(), etag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, "image/svg+xml", []byte(svg))
}

func hash32(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// colour is a named product colour: the main fill and a darker shade.
type colour struct {
	name, fill, dark string
}

var palette = []colour{
	{"red", "#c8402f", "#8e2a1e"}, {"orange", "#e07b2a", "#a5541a"}, {"mustard", "#d3a42a", "#94721a"},
	{"green", "#3f8a4f", "#275a33"}, {"teal", "#2a8b8b", "#1b5e5e"}, {"blue", "#3a6fc4", "#264a86"},
	{"navy", "#27375e", "#161f37"}, {"purple", "#7a4fa3", "#52346e"}, {"pink", "#d9738f", "#a44d65"},
	{"brown", "#8a5a34", "#5c3b21"}, {"grey", "#7b8188", "#4f545a"}, {"black", "#2b2b2e", "#111113"},
	{"cream", "#e8dcc0", "#b9a885"},
}

// Words in a title that name a colour or a material with an obvious one.
var colourWords = map[string]string{
	"red": "red", "crimson": "red", "orange": "orange", "yellow": "mustard", "mustard": "mustard", "green": "green",
	"olive": "green", "teal": "teal", "blue": "blue", "navy": "navy", "denim": "blue", "purple": "purple",
	"pink": "pink", "rose": "pink", "brown": "brown", "walnut": "brown", "oak": "brown", "wood": "brown",
	"bamboo": "brown", "rattan": "brown", "leather": "brown", "suede": "brown", "nubuck": "brown", "cork": "brown",
	"grey": "grey", "gray": "grey", "steel": "grey", "aluminium": "grey", "titanium": "grey", "iron": "black",
	"black": "black", "charcoal": "black", "carbon": "black", "copper": "orange", "white": "cream", "cream": "cream",
	"linen": "cream", "wool": "cream", "merino": "cream", "cotton": "cream", "porcelain": "cream", "ceramic": "cream",
}

// moreColours are colour names of clothes and homewares that the CSS
// colour names (golang.org/x/image/colornames) lack, by their usual shade.
var moreColours = map[string]string{
	"oatmeal": "#d8ccb4", "sage": "#9caf88", "terracotta": "#c8694a", "rust": "#b7472a", "burgundy": "#800020",
	"ecru": "#cdc1a5", "stone": "#a9a294", "sand": "#d8c39c", "taupe": "#8b7d6b", "camel": "#c19a6b",
	"blush": "#de9a9a", "cognac": "#9a463d", "mauve": "#b784a7", "ochre": "#cc7722", "graphite": "#41424c",
	"charcoal": "#36454f", "emerald": "#2f8f5b", "mint": "#98d7b5", "forest": "#2e5a3a", "wine": "#722f37",
	"peach": "#f4b995", "sky": "#87b7e0", "cobalt": "#0047ab", "lilac": "#c8a2c8", "natural": "#e6dcc6",
	"denim": "#3b5b85", "moss": "#8a9a5b", "mocha": "#7b5a48", "clay": "#b66a50",
	"khaki": "#b5a67a", "gold": "#c9a23a", "silver": "#b8bcc2", "teal": "#2a8b8b", "navy": "#27375e",
}

// namedColour is the colour a colour's name gives (one word, "oatmeal",
// or two run together as CSS writes them, "forestgreen"): the shop's own
// list, else the CSS and SVG colour names. ok is false for other words.
func namedColour(name string) (colour, bool) {
	hex, ok := moreColours[name]
	if !ok {
		c, css := colornames.Map[name]
		if !css {
			return colour{}, false
		}
		hex = fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B)
	}
	return shaded(name, hex), true
}

// shaded is a colour named name of fill hex with its darker shade.
func shaded(name, hex string) colour {
	var r, g, b uint8
	fmt.Sscanf(hex, "#%02x%02x%02x", &r, &g, &b)
	dark := func(v uint8) uint8 { return uint8(float64(v) * 0.66) }
	return colour{name: name, fill: hex, dark: fmt.Sprintf("#%02x%02x%02x", dark(r), dark(g), dark(b))}
}

// neutralColour is the fill of a product whose title names a colour the
// shop does not know: a stone grey that claims no colour.
var neutralColour = colour{fill: "#cfc9bd", dark: "#8f887b"}

// productColour takes the colour a title names, a colour before a
// material ("Merino Crew – Forest Green" is green), else one drawn from
// the id. named reports whether the title named it: a colour drawn from
// the id is decoration, and a picture's label does not name it.
func productColour(id, title string) (c colour, named bool) {
	words := strings.FieldsFunc(strings.ToLower(title), func(r rune) bool { return r == ' ' || r == '-' || r == ',' || r == '–' || r == '/' })
	for _, colourOnly := range []bool{true, false} {
		for i, w := range words {
			if colourOnly && i+1 < len(words) {
				// Two words CSS names as one: "Forest Green", "Sky Blue".
				if c, ok := namedColour(w + words[i+1]); ok && colourNames[words[i+1]] {
					c.name = w + " " + words[i+1]
					return c, true
				}
			}
			if name, ok := colourWords[w]; ok && (colourNames[w] || !colourOnly) {
				for _, c := range palette {
					if c.name == name {
						return c, true
					}
				}
			}
			if _, more := moreColours[w]; colourOnly && (colourNames[w] || more) {
				// A colour of the shop's vocabulary the palette lacks:
				// "Oatmeal", "Sage", "Terracotta".
				if c, ok := namedColour(w); ok {
					return c, true
				}
			}
		}
	}
	return palette[hash32(id+title)%uint32(len(palette))], false
}

// motifs are illustrations of product types, chosen by the words of the
// product's name; the first that matches wins. F is the product's colour,
// D its dark shade, L a light neutral.
var motifs = []struct {
	words []string
	svg   string
}{
	{[]string{"tent", "shelter"}, `<path d="M40 170 L120 60 L200 170 Z" fill="F"/><path d="M120 60 L150 170 L90 170 Z" fill="D"/><path d="M112 170 L120 120 L128 170 Z" fill="L"/><line x1="30" y1="170" x2="210" y2="170" stroke="D" stroke-width="4"/>`},
	{[]string{"backpack", "daypack", "pack"}, `<rect x="72" y="62" width="96" height="112" rx="26" fill="F"/><rect x="88" y="112" width="64" height="42" rx="10" fill="D"/><path d="M96 62 Q120 36 144 62" fill="none" stroke="D" stroke-width="8"/><rect x="84" y="80" width="72" height="8" rx="4" fill="L" opacity=".7"/>`},
	{[]string{"boot", "shoe", "sneaker", "sandal", "plimsoll", "runner", "slip-on", "flat"}, `<path d="M50 150 L50 90 Q50 78 64 78 L98 78 L104 116 Q160 118 186 136 Q196 144 192 154 L50 154 Z" fill="F"/><rect x="48" y="150" width="146" height="14" rx="7" fill="D"/><path d="M70 96 L96 96 M72 108 L100 108" stroke="L" stroke-width="4"/>`},
	{[]string{"sleeping", "quilt", "pad", "liner", "duvet", "blanket", "sheet", "pillow", "pillowcase", "cushion"}, `<rect x="48" y="78" width="144" height="92" rx="18" fill="F"/><path d="M48 104 H192 M48 130 H192 M48 156 H192" stroke="D" stroke-width="3"/><rect x="60" y="60" width="56" height="34" rx="14" fill="L"/>`},
	{[]string{"stove", "burner"}, `<rect x="64" y="120" width="112" height="40" rx="8" fill="D"/><circle cx="120" cy="112" r="34" fill="none" stroke="F" stroke-width="10"/><path d="M108 96 Q120 70 132 96 Q120 88 108 96" fill="#f0a030"/>`},
	{[]string{"mug", "cup", "cups"}, `<rect x="72" y="74" width="80" height="96" rx="10" fill="F"/><path d="M152 96 Q186 96 186 122 Q186 148 152 148" fill="none" stroke="F" stroke-width="12"/><rect x="72" y="74" width="80" height="14" fill="D"/>`},
	{[]string{"kettle", "teapot", "press", "pour-over", "frother", "infuser", "grinder", "espresso"}, `<path d="M70 170 L80 92 Q120 70 160 92 L170 170 Z" fill="F"/><path d="M160 110 Q196 116 192 150" fill="none" stroke="D" stroke-width="10"/><rect x="104" y="64" width="32" height="18" rx="6" fill="D"/>`},
	{[]string{"bottle", "serum", "oil", "shampoo", "conditioner", "parfum", "toilette", "perfume", "mist", "sunscreen", "moisturiser", "cleanser", "cream", "filter", "mask"}, `<rect x="86" y="84" width="68" height="92" rx="14" fill="F"/><rect x="104" y="58" width="32" height="30" rx="4" fill="D"/><rect x="96" y="112" width="48" height="36" rx="4" fill="L"/>`},
	{[]string{"lamp", "lantern", "light", "lights", "torch", "sconce", "bulb", "headlamp", "pendant"}, `<path d="M78 96 L162 96 L146 52 L94 52 Z" fill="F"/><rect x="116" y="96" width="8" height="62" fill="D"/><rect x="86" y="158" width="68" height="12" rx="6" fill="D"/><circle cx="120" cy="104" r="10" fill="#f6d36b"/>`},
	{[]string{"knife", "knives", "spork", "whetstone"}, `<path d="M46 132 L170 92 Q192 88 190 104 L70 146 Z" fill="L" stroke="D" stroke-width="3"/><rect x="150" y="98" width="56" height="18" rx="8" transform="rotate(-18 178 107)" fill="F"/>`},
	{[]string{"pan", "wok", "saucepan", "stockpot", "casserole", "griddle", "tin", "tray", "dish", "sheet", "rack", "basket"}, `<ellipse cx="110" cy="126" rx="66" ry="30" fill="D"/><ellipse cx="110" cy="118" rx="66" ry="30" fill="F"/><rect x="170" y="110" width="56" height="12" rx="6" fill="D"/>`},
	{[]string{"headphones", "headset", "earbuds", "earphones"}, `<path d="M66 140 Q66 64 120 64 Q174 64 174 140" fill="none" stroke="D" stroke-width="12"/><rect x="52" y="118" width="34" height="52" rx="14" fill="F"/><rect x="154" y="118" width="34" height="52" rx="14" fill="F"/>`},
	{[]string{"speaker", "speakers", "soundbar"}, `<rect x="74" y="54" width="92" height="124" rx="14" fill="F"/><circle cx="120" cy="136" r="26" fill="D"/><circle cx="120" cy="84" r="12" fill="D"/><circle cx="120" cy="136" r="8" fill="L"/>`},
	{[]string{"camera", "lens", "drone"}, `<rect x="54" y="82" width="132" height="86" rx="12" fill="F"/><rect x="78" y="68" width="34" height="18" rx="4" fill="D"/><circle cx="120" cy="126" r="30" fill="D"/><circle cx="120" cy="126" r="16" fill="L"/>`},
	{[]string{"charger", "cable", "bank", "hub", "card"}, `<rect x="82" y="62" width="76" height="112" rx="12" fill="F"/><rect x="108" y="48" width="24" height="16" rx="3" fill="D"/><path d="M124 92 L106 124 L122 124 L114 152 L136 116 L120 116 Z" fill="L"/>`},
	{[]string{"keyboard", "trackpad", "desk"}, `<rect x="36" y="92" width="168" height="70" rx="10" fill="F"/><g fill="L"><rect x="48" y="104" width="18" height="14" rx="3"/><rect x="72" y="104" width="18" height="14" rx="3"/><rect x="96" y="104" width="18" height="14" rx="3"/><rect x="120" y="104" width="18" height="14" rx="3"/><rect x="144" y="104" width="18" height="14" rx="3"/><rect x="168" y="104" width="18" height="14" rx="3"/><rect x="66" y="136" width="108" height="14" rx="3"/></g>`},
	{[]string{"mouse"}, `<rect x="86" y="56" width="68" height="120" rx="34" fill="F"/><line x1="120" y1="56" x2="120" y2="104" stroke="D" stroke-width="4"/><rect x="115" y="72" width="10" height="20" rx="5" fill="D"/>`},
	{[]string{"smartwatch", "watch", "tracker", "ring"}, `<rect x="100" y="40" width="40" height="160" rx="14" fill="D"/><rect x="80" y="80" width="80" height="80" rx="20" fill="F"/><rect x="92" y="92" width="56" height="56" rx="12" fill="#1d2430"/><path d="M108 120 H120 V104" stroke="L" stroke-width="4" fill="none"/>`},
	{[]string{"rug", "runner", "doormat", "kilim"}, `<rect x="44" y="64" width="152" height="112" rx="6" fill="F"/><rect x="60" y="80" width="120" height="80" fill="none" stroke="L" stroke-width="6"/><path d="M96 120 L120 96 L144 120 L120 144 Z" fill="D"/>`},
	{[]string{"box", "hamper", "organiser", "shelf", "unit"}, `<path d="M56 96 L120 72 L184 96 L184 168 L56 168 Z" fill="F"/><path d="M56 96 L120 120 L184 96" fill="none" stroke="D" stroke-width="5"/><line x1="120" y1="120" x2="120" y2="168" stroke="D" stroke-width="5"/>`},
	{[]string{"vase", "pot", "candle"}, `<path d="M92 60 L148 60 L140 84 Q172 118 150 172 L90 172 Q68 118 100 84 Z" fill="F"/><rect x="90" y="150" width="60" height="10" fill="D"/>`},
	{[]string{"frame", "mirror", "print", "art"}, `<rect x="60" y="52" width="120" height="132" rx="4" fill="D"/><rect x="74" y="66" width="92" height="104" fill="L"/><path d="M74 150 L104 116 L126 138 L140 124 L166 150 V170 H74 Z" fill="F"/>`},
	{[]string{"jacket", "coat", "parka", "anorak", "puffer", "windbreaker"}, `<path d="M84 56 L120 72 L156 56 L192 84 L176 112 L164 104 L164 184 L76 184 L76 104 L64 112 L48 84 Z" fill="F"/><line x1="120" y1="72" x2="120" y2="184" stroke="D" stroke-width="4"/><path d="M104 60 L120 88 L136 60" fill="none" stroke="D" stroke-width="4"/>`},
	{[]string{"jumper", "sweater", "cardigan", "vest", "jersey", "hoodie", "sweatshirt", "pullover"}, `<path d="M88 58 Q120 76 152 58 L196 84 L184 150 L166 146 L164 184 L76 184 L74 146 L56 150 L44 84 Z" fill="F"/><path d="M76 170 H164" stroke="D" stroke-width="6"/><path d="M96 62 Q120 88 144 62" fill="none" stroke="D" stroke-width="5"/>`},
	{[]string{"beanie", "scarf"}, `<path d="M64 150 Q64 70 120 70 Q176 70 176 150 Z" fill="F"/><rect x="58" y="144" width="124" height="26" rx="8" fill="D"/><circle cx="120" cy="64" r="14" fill="L"/>`},
	{[]string{"t-shirt", "tee", "polo", "henley", "top", "shirt", "overshirt", "blouse", "button-down"}, `<path d="M88 60 Q120 74 152 60 L192 86 L176 112 L160 104 L160 180 L80 180 L80 104 L64 112 L48 86 Z" fill="F"/><path d="M100 62 Q120 82 140 62" fill="none" stroke="D" stroke-width="4"/>`},
	{[]string{"jeans", "chinos", "trousers"}, `<path d="M82 52 H158 L168 188 H130 L120 92 L110 188 H72 Z" fill="F"/><rect x="82" y="52" width="76" height="14" fill="D"/>`},
	{[]string{"mat", "towel", "strap"}, `<rect x="40" y="112" width="150" height="44" rx="8" fill="F"/><circle cx="186" cy="120" r="26" fill="D"/><circle cx="186" cy="120" r="12" fill="F"/>`},
	{[]string{"block", "wheel", "roller"}, `<rect x="64" y="92" width="112" height="72" rx="10" fill="F"/><path d="M64 92 L88 70 H196 L176 92 Z" fill="L"/><path d="M176 92 L196 70 V142 L176 164 Z" fill="D"/>`},
	{[]string{"helmet"}, `<path d="M50 142 Q50 66 120 66 Q190 66 190 142 Z" fill="F"/><path d="M80 80 L96 140 M120 70 L120 140 M160 80 L144 140" stroke="D" stroke-width="6"/><rect x="46" y="138" width="148" height="12" rx="6" fill="D"/>`},
	{[]string{"gloves", "guards"}, `<path d="M84 180 L84 96 Q84 84 94 84 L94 64 Q104 56 110 64 L110 84 L118 60 Q128 54 132 62 L130 88 L142 68 Q152 64 154 74 L148 106 L164 96 Q176 96 170 110 L150 150 L150 180 Z" fill="F"/><rect x="84" y="164" width="66" height="16" fill="D"/>`},
	{[]string{"lock", "pump", "bag"}, `<path d="M88 104 V84 Q88 56 120 56 Q152 56 152 84 V104" fill="none" stroke="D" stroke-width="12"/><rect x="72" y="100" width="96" height="76" rx="12" fill="F"/><circle cx="120" cy="136" r="10" fill="D"/>`},
	{[]string{"dumbbells", "kettlebell", "bands", "rope", "bar", "bench"}, `<rect x="44" y="96" width="24" height="56" rx="6" fill="F"/><rect x="172" y="96" width="24" height="56" rx="6" fill="F"/><rect x="68" y="110" width="16" height="28" rx="4" fill="D"/><rect x="156" y="110" width="16" height="28" rx="4" fill="D"/><rect x="84" y="118" width="72" height="12" fill="D"/>`},
	{[]string{"football", "basketball", "volleyball", "ball"}, `<circle cx="120" cy="120" r="62" fill="F"/><path d="M58 120 H182 M120 58 V182 M76 76 Q120 120 76 164 M164 76 Q120 120 164 164" fill="none" stroke="D" stroke-width="4"/>`},
	{[]string{"cones"}, `<path d="M120 54 L160 168 H80 Z" fill="F"/><path d="M104 100 H136 M94 132 H146" stroke="L" stroke-width="10"/><rect x="62" y="164" width="116" height="12" rx="4" fill="D"/>`},
	{[]string{"lipstick", "mascara", "concealer", "stick", "gel"}, `<rect x="96" y="110" width="48" height="72" rx="6" fill="D"/><rect x="102" y="78" width="36" height="34" fill="L"/><path d="M104 78 L104 56 Q120 40 136 62 L136 78 Z" fill="F"/>`},
	{[]string{"palette"}, `<rect x="50" y="76" width="140" height="92" rx="12" fill="D"/><g><circle cx="84" cy="106" r="14" fill="F"/><circle cx="120" cy="106" r="14" fill="L"/><circle cx="156" cy="106" r="14" fill="F" opacity=".6"/><circle cx="84" cy="142" r="14" fill="L"/><circle cx="120" cy="142" r="14" fill="F" opacity=".8"/><circle cx="156" cy="142" r="14" fill="L"/></g>`},
	{[]string{"set", "kit", "train", "run", "robot", "treehouse"}, `<rect x="56" y="122" width="60" height="44" rx="4" fill="F"/><rect x="116" y="122" width="60" height="44" rx="4" fill="D"/><rect x="86" y="80" width="60" height="44" rx="4" fill="F"/><g fill="L"><circle cx="74" cy="122" r="7"/><circle cx="98" cy="122" r="7"/><circle cx="104" cy="80" r="7"/><circle cx="128" cy="80" r="7"/><circle cx="158" cy="122" r="7"/></g>`},
	{[]string{"game", "dice"}, `<rect x="52" y="70" width="136" height="100" rx="8" fill="F"/><rect x="66" y="84" width="108" height="72" rx="4" fill="L"/><rect x="96" y="100" width="40" height="40" rx="8" fill="D"/><g fill="L"><circle cx="106" cy="110" r="4"/><circle cx="126" cy="130" r="4"/><circle cx="116" cy="120" r="4"/></g>`},
	{[]string{"puzzle", "teaser"}, `<path d="M60 70 H108 Q104 52 120 52 Q136 52 132 70 H180 V118 Q198 114 198 130 Q198 146 180 142 V180 H60 Z" fill="F"/><path d="M120 70 V180 M60 124 H180" stroke="D" stroke-width="4"/>`},
	{[]string{"bear", "bunny", "elephant", "fox", "dinosaur", "plush", "teddy"}, `<circle cx="84" cy="74" r="22" fill="F"/><circle cx="156" cy="74" r="22" fill="F"/><circle cx="120" cy="122" r="58" fill="F"/><ellipse cx="120" cy="140" rx="26" ry="18" fill="L"/><circle cx="100" cy="112" r="7" fill="#222"/><circle cx="140" cy="112" r="7" fill="#222"/><circle cx="120" cy="134" r="6" fill="D"/>`},
	{[]string{"book", "novel", "guide", "cookbook"}, `<rect x="70" y="50" width="100" height="136" rx="6" fill="F"/><rect x="70" y="50" width="16" height="136" fill="D"/><rect x="98" y="78" width="58" height="8" fill="L"/><rect x="98" y="94" width="44" height="6" fill="L"/>`},
}

// ambiguousWords name one of the motifs' kinds in some shops and something
// else in others: "pack" of a backpack and of six bagels, "tin" of a loaf
// tin and of chickpeas, "bar" of a barbell and of chocolate, "pan" of a
// frying pan and of bread in Spanish. They choose a drawing only in a
// category that is itself a known kind (a "Loaf Tin" in Bakeware).
var ambiguousWords = map[string]bool{
	"shelter": true, "pack": true, "slip-on": true, "flat": true, "runner": true, "pad": true, "liner": true, "sheet": true,
	"cup": true, "kettle": true, "press": true, "grinder": true, "espresso": true,
	"oil": true, "mist": true, "cream": true, "filter": true, "mask": true,
	"light": true, "bulb": true, "pendant": true,
	"pan": true, "casserole": true, "tin": true, "tray": true, "dish": true, "rack": true, "basket": true,
	"bank": true, "hub": true, "card": true, "desk": true, "mouse": true, "tracker": true, "ring": true,
	"box": true, "hamper": true, "unit": true, "pot": true, "print": true, "art": true,
	"jacket": true, "vest": true, "jersey": true, "tee": true, "polo": true, "henley": true, "top": true,
	"mat": true, "towel": true, "strap": true, "block": true, "wheel": true, "roller": true, "guard": true,
	"lock": true, "pump": true, "bag": true, "band": true, "rope": true, "bar": true, "bench": true, "ball": true, "cone": true,
	"stick": true, "gel": true, "set": true, "kit": true, "train": true, "run": true, "robot": true, "treehouse": true,
	"game": true, "dice": true, "teaser": true, "bear": true, "bunny": true, "elephant": true, "fox": true, "dinosaur": true, "guide": true,
}

// categoryKinds are category names that are kinds of product the shop can
// draw. In such a category an ambiguous word of a title picks a drawing
// ("Loaf Tin" in Bakeware); a category of one kind also gives the drawing
// of a product whose title has no telling word (a novel's title in
// Fiction is drawn as a book), by a word of that kind's motif; "" is a
// category of several kinds, whose other products get no drawing (a "Stand
// Mixer" in Small Appliances is no kettle). A category whose name is
// itself a motif's word ("Tents", "Hiking Boots") needs no entry.
var categoryKinds = map[string]string{
	"books": "book", "fiction": "book", "cookbooks": "book", "travel guides": "book", "children's books": "book",
	"jackets": "coat", "knitwear": "jumper", "shirts": "shirt", "tops": "tee", "t-shirts": "tee", "bedding": "duvet", "lighting": "lamp",
	"skincare": "serum", "hair care": "shampoo", "fragrance": "perfume", "board games": "game", "plush toys": "teddy",
	"camp kitchen": "", "coffee & tea": "", "small appliances": "", "cookware": "", "bakeware": "", "decor": "", "storage": "",
	"team sports": "", "cycling": "", "fitness equipment": "", "yoga": "", "makeup": "", "building sets": "",
}

// motifWords splits a name into lower-case words.
func motifWords(s string) []string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return r == ' ' || r == ',' || r == '–' || r == '(' || r == ')' || r == '&' || r == '/' || r == '>'
	})
	for i, w := range words {
		words[i] = strings.TrimSuffix(strings.Trim(w, "'’.\"“”«»:;!?"), "'s")
	}
	return words
}

// motifOf is the index of the motif a word names (a plural too), and
// whether the word names its kind in any shop (not an ambiguous word).
func motifOf(w string) (idx int, sure bool) {
	forms := []string{w, strings.TrimSuffix(w, "s"), strings.TrimSuffix(w, "es")}
	for _, form := range forms {
		for i, m := range motifs {
			if slices.Contains(m.words, form) {
				return i, !slices.ContainsFunc(forms, func(f string) bool { return ambiguousWords[f] })
			}
		}
	}
	return -1, false
}

// categoryMotif reports whether a category is a kind of product the shop
// can draw, and the motif of its kind when it has one kind (else -1).
func categoryMotif(category string) (idx int, known bool) {
	if k, ok := categoryKinds[strings.ToLower(strings.TrimSpace(category))]; ok {
		if k == "" {
			return -1, true
		}
		i, _ := motifOf(k)
		return i, true
	}
	words := motifWords(category)
	for i := len(words) - 1; i >= 0; i-- {
		if m, sure := motifOf(words[i]); m >= 0 && sure {
			return m, true
		}
	}
	return -1, false
}

// motifFor picks the drawing of a product, and reports whether there is
// one: the product is drawn only as a kind its title or its category
// really names. In a category that is a known kind, any word of the title
// can pick the drawing (the last words first: "Loaf Tin" in Bakeware is a
// tin, not a loaf), else the category's kind is drawn if it has one. In any other
// category only a word that always names its kind, among the title's last
// two words (the product type, in English), draws it ("Dome Tent"); a
// grocery's "Bagels 6 pack" or "Chickpeas 400 g tin", or a title in a
// language the words do not know, gets no drawing.
func motifFor(title, category string) (string, bool) {
	words := motifWords(title)
	if cm, known := categoryMotif(category); known {
		for i := len(words) - 1; i >= 0; i-- {
			if m, _ := motifOf(words[i]); m >= 0 {
				return motifs[m].svg, true
			}
		}
		if cm >= 0 {
			return motifs[cm].svg, true
		}
		return "", false
	}
	var tail []string // the last two words with a letter and no digit
	for i := len(words) - 1; i >= 0 && len(tail) < 2; i-- {
		w := words[i]
		if strings.IndexFunc(w, unicode.IsLetter) < 0 || strings.IndexFunc(w, unicode.IsDigit) >= 0 {
			continue
		}
		tail = append(tail, w)
	}
	for _, w := range tail {
		if m, sure := motifOf(w); m >= 0 && sure {
			return motifs[m].svg, true
		}
	}
	return "", false
}

// drawProduct is a product's picture: its kind drawn in its colour when
// motifFor knows the kind, else a neutral picture (placeholder) that
// draws no object it might not be.
func drawProduct(id, title, brand, category string) string {
	return drawNamed(id, title, title, brand, category)
}

// drawNamed is drawProduct for a product named otherwise than its title:
// a product of a group is named by its model ("Cascade Windbreaker"),
// while its title ("Cascade Windbreaker – Red – S") still says its colour.
// The kind is read from the title, else from the name (the title's last
// words are then its colour and size, not its kind).
func drawNamed(id, title, name, brand, category string) string {
	label := recommender.ShortName(name, brand, category)
	shape, ok := motifFor(title, category)
	if !ok && name != title {
		shape, ok = motifFor(name, category)
	}
	if !ok {
		return placeholder(name, brand, category, label)
	}
	c, named := productColour(id, title)
	if !named && name != title {
		// The words a product of a group adds to its model's name are its
		// option: one the shop cannot read as a colour ("Heather", a
		// maker's own name for a shade) is drawn in a neutral colour
		// and named as the title names it, never in a colour it may not be.
		if opt := optionWords(title, name); opt != "" && !sizeLabel.MatchString(opt) {
			c, named = neutralColour, true
			c.name = opt
		}
	}
	shade := ""
	if named {
		shade = " · " + c.name
	}
	shape = strings.NewReplacer(`"F"`, `"`+c.fill+`"`, `"D"`, `"`+c.dark+`"`, `"L"`, `"#f4efe6"`).Replace(shape)
	hue := hash32(category) % 360
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 240" width="240" height="240" role="img" aria-label="%s">
<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(%d,30%%,96%%)"/><stop offset="1" stop-color="hsl(%d,25%%,89%%)"/></linearGradient></defs>
<rect width="240" height="240" fill="url(#bg)"/>
<ellipse cx="120" cy="184" rx="78" ry="7" fill="#000" opacity=".08"/>
%s
<text x="120" y="208" text-anchor="middle" font-family="Helvetica,Arial,sans-serif" font-size="11" font-weight="700" letter-spacing="1" fill="#4a4a4a">%s</text>
<text x="120" y="226" text-anchor="middle" font-family="Helvetica,Arial,sans-serif" font-size="12" fill="#333">%s%s</text>
</svg>`, html.EscapeString(name), hue, hue, shape, html.EscapeString(strings.ToUpper(brand)), html.EscapeString(label), html.EscapeString(shade))
}

// optionWords is what a title adds to its group's name, name ("Oatmeal"
// for "Chunky Knit Throw-Oatmeal" of "Chunky Knit Throw"), without the
// separators; "" when the title does not start or end with the name.
func optionWords(title, name string) string {
	rest := ""
	switch k := len(title) - len(name); {
	case k <= 0:
		return ""
	case strings.EqualFold(title[:len(name)], name):
		rest = title[len(name):]
	case strings.EqualFold(title[k:], name):
		rest = title[:k]
	default:
		return ""
	}
	return strings.TrimFunc(rest, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// placeholder is the picture of a product of a kind the shop cannot draw:
// the initials of its name in a disc on a ground whose colour comes from
// its category (so one category's products look alike and the next
// category's differ), with its brand and short name below.
func placeholder(title, brand, category, label string) string {
	hue := placeholderHues[hash32(strings.ToLower(category))%uint32(len(placeholderHues))]
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 240" width="240" height="240" role="img" aria-label="%s" data-picture="placeholder">
<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(%d,42%%,93%%)"/><stop offset="1" stop-color="hsl(%d,36%%,84%%)"/></linearGradient></defs>
<rect width="240" height="240" fill="url(#bg)"/>
<circle cx="120" cy="98" r="58" fill="hsl(%d,34%%,40%%)"/>
<circle cx="120" cy="98" r="50" fill="none" stroke="#fff" stroke-opacity=".35" stroke-width="2"/>
<text x="120" y="98" dy=".35em" text-anchor="middle" font-family="Helvetica,Arial,sans-serif" font-size="44" font-weight="700" letter-spacing="1" fill="#fff">%s</text>
<text x="120" y="188" text-anchor="middle" font-family="Helvetica,Arial,sans-serif" font-size="11" font-weight="700" letter-spacing="1" fill="hsl(%d,30%%,28%%)">%s</text>
<text x="120" y="210" text-anchor="middle" font-family="Helvetica,Arial,sans-serif" font-size="14" font-weight="700" fill="#2b2b2b">%s</text>
</svg>`, html.EscapeString(title), hue, hue, hue, html.EscapeString(initials(label)), hue, html.EscapeString(strings.ToUpper(brand)), html.EscapeString(label))
}

// placeholderHues are the hues of the neutral pictures' grounds, far enough
// apart that neighbouring categories read as different colours (a hue
// drawn from all 360 often lands next to another).
var placeholderHues = []int{4, 24, 42, 88, 140, 168, 192, 212, 232, 262, 292, 330}

// initials are the first letters of a name's first two words that start
// with a letter, leaving out short lower-case words ("Chickpeas in Water"
// → "CW"; "Yaourt à la fraise" → "YF"; "Зимние ботинки" → "ЗБ"), or the
// name's first character.
func initials(name string) string {
	var out []rune
	for _, w := range strings.Fields(name) {
		r := []rune(strings.TrimLeft(w, "\"“”«»('‘’"))
		if len(r) == 0 || !unicode.IsLetter(r[0]) || (len(r) <= 2 && unicode.IsLower(r[0])) {
			continue
		}
		out = append(out, unicode.ToUpper(r[0]))
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 0 {
		if r := []rune(strings.TrimSpace(name)); len(r) > 0 {
			out = r[:1]
		}
	}
	return string(out)
}
