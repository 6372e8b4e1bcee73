//go:build screenshots

package web

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"storefront/models"
)

func TestAdminScreens(t *testing.T) {
	shop := mustOpenShop(t)
	email := shop.addStaff(models.RoleAdmin)
	ids, _ := shop.draft()
	now := time.Now().UTC()
	var evs []models.Event
	for d := 0; d < 14; d++ {
		for i, id := range ids {
			for k := 0; k < 20+d*(i+1); k++ {
				p := uint(1 + k%5)
				evs = append(evs, models.Event{UserKey: "s1", ProductID: &p, Type: models.EventImpression, Slot: slotKey(id), CreatedAt: now.AddDate(0, 0, -d)})
				if k%(5+i*3) == 0 {
					evs = append(evs, models.Event{UserKey: "s1", ProductID: &p, Type: models.EventClick, Slot: slotKey(id), CreatedAt: now.AddDate(0, 0, -d)})
				}
			}
		}
	}
	must(t, shop.db.InsertEvents(context.Background(), evs))
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.NoSandbox, chromedp.ExecPath("/usr/bin/chromium"), chromedp.WindowSize(1280, 1600))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel2 := chromedp.NewContext(actx)
	defer cancel2()
	must(t, chromedp.Do(ctx, chromedp.Navigate(shop.ts.URL+"/admin/login"), chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword), chromedp.Click(chromedp.CSS(`[data-testid="auth-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="layout-list"]`))))
	for name, path := range map[string]string{"layout": "/admin/layout", "edit": "/admin/layout/slots/" + utoa(ids[1]) + "/edit",
		"preview": "/admin/preview?as=s1", "analytics": "/admin/analytics", "catalog": "/admin/catalog", "apikeys": "/admin/api-keys", "versions": "/admin/versions", "chooser": "/admin/preview"} {
		must(t, chromedp.Do(ctx, chromedp.Navigate(shop.ts.URL+path), chromedp.Sleep(300*time.Millisecond)))
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		must(t, err)
		must(t, os.WriteFile("/tmp/adm/"+name+".png", buf, 0o644))
	}
	// Drag the last slot to the top with the handle.
	must(t, chromedp.Do(ctx, chromedp.Navigate(shop.ts.URL+"/admin/layout"), chromedp.Sleep(300*time.Millisecond)))
	from, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(function(){var h=document.querySelectorAll('[data-testid=drag-handle]');var a=h[h.length-1].getBoundingClientRect();return [a.x+a.width/2,a.y+a.height/2]})()`))
	must(t, err)
	to, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(function(){var b=document.querySelectorAll('[data-testid=drag-handle]')[0].getBoundingClientRect();return [b.x+b.width/2,b.y+2]})()`))
	must(t, err)
	must(t, chromedp.Do(ctx, chromedp.MouseEvent("mouseMoved", from[0], from[1]), chromedp.MouseEvent("mousePressed", from[0], from[1], chromedp.ButtonLeft)))
	for i := 1; i <= 10; i++ {
		y := from[1] + (to[1]-from[1])*float64(i)/10
		must(t, chromedp.Do(ctx, chromedp.MouseEvent("mouseMoved", from[0], y, chromedp.ButtonLeft), chromedp.Sleep(30*time.Millisecond)))
	}
	must(t, chromedp.Do(ctx, chromedp.MouseEvent("mouseReleased", to[0], to[1], chromedp.ButtonLeft), chromedp.Sleep(1500*time.Millisecond)))
	order, err := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll('[data-testid=layout-slot]')).map(e=>e.dataset.slotId).join(',')`))
	must(t, err)
	got, _ := shop.draft()
	t.Logf("before %v; after drag DOM %s, draft %v", ids, order, got)
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	must(t, err)
	must(t, os.WriteFile("/tmp/adm/after-drag.png", buf, 0o644))
}
