// axe-core on rendered views: no serious or critical violations (colour contrast needs a real
// browser and is left to the end-to-end suite).
import { screen } from '@testing-library/react';
import axe from 'axe-core';
import { describe, expect, it } from 'vitest';

import { serve } from '@/testing/fixture-server';
import * as fx from '@/testing/fixtures';
import { renderApp } from '@/testing/render';

async function seriousViolations(container: HTMLElement) {
  const result = await axe.run(container, { rules: { 'color-contrast': { enabled: false } }, resultTypes: ['violations'] });
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('accessibility', () => {
  it('home (logged out)', async () => {
    serve({ 'GET me': fx.meOut });
    const { container } = renderApp('/');
    await screen.findByTestId('home-logged-out');
    expect(await seriousViolations(container)).toEqual([]);
  });

  it('liked tracks table', async () => {
    serve({ 'GET me': fx.meIn, 'GET likedtracks': fx.trackPage(fx.makeTracks(30)) });
    const { container } = renderApp('/liked');
    await screen.findAllByTestId('track-row');
    expect(await seriousViolations(container)).toEqual([]);
  });

  it('analysis', async () => {
    serve({ 'GET me': fx.meOut, 'GET analysis': fx.analysis });
    const { container } = renderApp('/track/x');
    await screen.findByTestId('percentile-table');
    expect(await seriousViolations(container)).toEqual([]);
  });

  it('taste', async () => {
    serve({ 'GET me': fx.meIn, 'GET taste': fx.taste, 'GET taste/public': fx.publicTaste });
    const { container } = renderApp('/taste');
    await screen.findAllByTestId('density-chart');
    expect(await seriousViolations(container)).toEqual([]);
  });

  it('model card', async () => {
    serve({ 'GET me': fx.meOut, 'GET model': fx.modelCard, 'GET datasets': fx.datasets });
    const { container } = renderApp('/model');
    await screen.findByTestId('confusion-matrix');
    expect(await seriousViolations(container)).toEqual([]);
  });
});
