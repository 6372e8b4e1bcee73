package main

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"time"

	"storefront/models"
	"storefront/seed"
)

// The twelfth attack's supplier: a product whose image_url is another
// product's page (an import takes a path of the shop as a picture a server
// in front of it may answer).
const (
	twelfthCarrier = "SKU-10004" // its picture is twelfthTarget's page
	twelfthTarget  = "SKU-10005"
)

// twelfthPlant gives the carrier the target's page as its picture before
// the server starts, as an import of the supplier's file would.
func twelfthPlant(db *models.DB) error {
	var target models.Product
	if err := db.R.Where("external_id = ?", twelfthTarget).First(&target).Error; err != nil {
		return err
	}
	return db.W.Model(&models.Product{}).Where("external_id = ?", twelfthCarrier).Update("image_url", fmt.Sprintf("/p/%d", target.ID)).Error
}

var anyProductImage = regexp.MustCompile(`<img[^>]+class="product-image"[^>]+src="([^"]+)"|<img[^>]+src="([^"]+)"[^>]+class="product-image"`)

// getAs fetches path as a browser fetches a part of a page (dest "image")
// or opens it ("document"), following the shop's redirects as a browser
// does (`/p/5` to the product's address with its name).
func (c *client) getAs(dest, path string) int {
	mode := "no-cors"
	if dest == "document" {
		mode = "navigate"
	}
	for range 3 {
		req, _ := http.NewRequest(http.MethodGet, c.a.base+path, nil)
		req.Header.Set("Sec-Fetch-Dest", dest)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Sec-Fetch-Mode", mode)
		res, err := c.hc.Do(req)
		if err != nil {
			return 0
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode/100 != 3 {
			return res.StatusCode
		}
		path = res.Header.Get("Location")
	}
	return 0
}

// twelfthAttack replays what the twelfth outside attack found
// (docs/security.md).
func (a *attack) twelfthAttack() {
	// Medium: a product's picture that is another product's page had every
	// shopper who opened it "view" that product too, in their own history.
	db, err := models.Open(a.dbPath)
	if err != nil {
		a.check("a page fetched as a picture records no view", false, "open %s: %v", a.dbPath, err)
		return
	}
	defer db.Close()
	var carrier, target, marker models.Product
	var sh models.Shopper
	db.R.Where("external_id = ?", twelfthCarrier).First(&carrier)
	db.R.Where("external_id = ?", twelfthTarget).First(&target)
	db.R.Where("external_id = ?", "SKU-10006").First(&marker)
	db.R.Where("email = ?", shopperEmail(91)).First(&sh)
	c := a.client("127.0.12.1")
	login := c.login("/login", shopperEmail(91), seed.ShopperPassword)
	page, body := c.get(fmt.Sprintf("/p/%d", carrier.ID))
	if page.StatusCode == http.StatusMovedPermanently {
		_, body = c.get(page.Header.Get("Location"))
	}
	img := ""
	if m := anyProductImage.FindStringSubmatch(body); m != nil {
		img = m[1] + m[2]
	}
	views := func(id uint) int64 {
		var n int64
		db.R.Model(&models.Event{}).Where("user_key = ? AND product_id = ? AND type = ?", sh.ExternalID, id, models.EventView).Count(&n)
		return n
	}
	before := views(target.ID)
	asImage := c.getAs("image", img)
	// The page the shopper opens next is recorded after anything the
	// picture recorded: once it is stored, so is the picture's view.
	c.getAs("document", fmt.Sprintf("/p/%d", marker.ID))
	for i := 0; i < 100 && views(marker.ID) == 0; i++ {
		time.Sleep(100 * time.Millisecond)
	}
	got := views(target.ID) - before
	a.check("a page fetched as a picture records no view", login == http.StatusSeeOther && img == fmt.Sprintf("/p/%d", target.ID) && asImage != 0 && views(marker.ID) > 0 && got == 0,
		"login %d; %s's picture %q fetched as an image: %d, %d views of %s recorded for the shopper", login, twelfthCarrier, img, asImage, got, twelfthTarget)
}
