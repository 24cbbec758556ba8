// The widget script at GET /widget.js, for any page's <script> tag (cached briefly, never sniffed).
import { Hono } from 'hono';

export function widgetRoutes(widgetScript: string): Hono {
  const app = new Hono();
  app.get('/widget.js', (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=300');
    c.header('X-Content-Type-Options', 'nosniff');
    return c.body(widgetScript);
  });
  return app;
}
