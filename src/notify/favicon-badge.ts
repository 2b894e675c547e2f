/** The size the badged icon is drawn at; browsers scale it to the tab's. */
const SIZE = 64;

/**
 * Draws the app's icon with a red badge holding the count (9+ past nine) on
 * a canvas and returns it as a PNG data: URL, which the server's
 * Content-Security-Policy allows as an image (`img-src 'self' data:`). The
 * icon is loaded once. Resolves to null where there is no 2D canvas.
 */
export function faviconDrawer(iconUrl: string, document: Document): (count: number) => Promise<string | null> {
  let icon: Promise<HTMLImageElement | null> | null = null;
  const loadIcon = (): Promise<HTMLImageElement | null> =>
    (icon ??= new Promise((resolve) => {
      const image = document.createElement('img');
      image.onload = () => resolve(image);
      image.onerror = () => resolve(null);
      image.src = iconUrl;
    }));

  return async (count) => {
    const canvas = document.createElement('canvas');
    canvas.width = SIZE;
    canvas.height = SIZE;
    const context = canvas.getContext('2d');
    if (!context) return null;
    const image = await loadIcon();
    if (image) context.drawImage(image, 0, 0, SIZE, SIZE);
    const radius = SIZE * 0.3;
    const [x, y] = [SIZE - radius, radius];
    context.beginPath();
    context.arc(x, y, radius, 0, Math.PI * 2);
    context.fillStyle = '#d93025';
    context.fill();
    context.lineWidth = 4;
    context.strokeStyle = '#ffffff';
    context.stroke();
    context.fillStyle = '#ffffff';
    context.font = `bold ${count > 9 ? 22 : 30}px sans-serif`;
    context.textAlign = 'center';
    context.textBaseline = 'middle';
    context.fillText(count > 9 ? '9+' : String(count), x, y + 2);
    try {
      return canvas.toDataURL('image/png');
    } catch {
      return null; // a tainted canvas: the icon came from elsewhere
    }
  };
}
