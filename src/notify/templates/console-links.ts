// The links an alert message carries back into Tocsin's console: the event's page, and the pages that
// acknowledge it and silence it. Built from TOCSIN_PUBLIC_URL and the event id.
import type { NotificationLink, NotificationLocale } from '../rendered-notification.js';
import { TEMPLATE_WORDS } from './template-words.js';

export interface ConsoleLinks {
  readonly view: string;
  readonly acknowledge: string;
  readonly silence: string;
}

/**
 * The console URLs of one event. Acknowledging and silencing are console pages (a GET from a chat app
 * must not change anything by itself); the user confirms there.
 * @example consoleLinks('https://tocsin.example', 'e1').acknowledge // 'https://tocsin.example/events/e1:acknowledge'
 */
export function consoleLinks(publicUrl: string, eventId: string): ConsoleLinks {
  const view = `${publicUrl.replace(/\/+$/, '')}/events/${encodeURIComponent(eventId)}`;
  return { view, acknowledge: `${view}:acknowledge`, silence: `${view}:silence` };
}

/**
 * The buttons of a message: view, acknowledge and silence while firing; only view once resolved, when
 * there is nothing left to acknowledge or silence.
 */
export function notificationLinks(
  links: ConsoleLinks,
  state: 'firing' | 'resolved',
  locale: NotificationLocale,
): NotificationLink[] {
  const titles = TEMPLATE_WORDS[locale].links;
  const view = { title: titles.view, url: links.view };
  if (state === 'resolved') return [view];
  return [
    view,
    { title: titles.acknowledge, url: links.acknowledge },
    { title: titles.silence, url: links.silence },
  ];
}
