/** The capabilities panel: what this browser offers, and which device `auto` picks and why. */
import { expect, test } from '@playwright/test';

test('the capabilities panel says auto picks WebAssembly on a software WebGPU adapter, and why', async ({ page }) => {
  await page.goto('/');
  const summary = page.getByText('What this browser offers');
  await summary.focus();
  await page.keyboard.press('Enter');
  const auto = page.getByTestId('cap-auto');
  await expect(auto.locator('strong')).toHaveText('WebAssembly');
  await expect(auto).toContainText('software');
  await expect(page.getByTestId('cap-webgpu')).toContainText('software');
  await expect(page.getByTestId('cap-threads')).toContainText('cross-origin isolated');
});
