// zh-CN / en: two radio buttons, so the choice is one keystroke away and announced as a choice.
import { Radio } from 'antd';
import { useI18n, type Locale } from '../i18n/i18n';

export function LanguageSwitch() {
  const { locale, setLocale, t } = useI18n();
  return (
    <Radio.Group
      aria-label={t('app.language')}
      size="small"
      optionType="button"
      value={locale}
      onChange={(event) => setLocale(event.target.value as Locale)}
      options={[
        { label: '中文', value: 'zh-CN' },
        { label: 'English', value: 'en' },
      ]}
    />
  );
}
