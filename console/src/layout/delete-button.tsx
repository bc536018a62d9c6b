// The Delete link of a table row: asks `Delete "name"?` before it calls onConfirm.
import { Button, Popconfirm } from 'antd';
import { useI18n } from '../i18n/i18n';

export function DeleteButton({ name, onConfirm }: { readonly name: string; readonly onConfirm: () => void }) {
  const { t } = useI18n();
  return (
    <Popconfirm
      title={t('common.deleteConfirm', { name })}
      okText={t('common.ok')}
      cancelText={t('common.cancel')}
      onConfirm={onConfirm}
    >
      <Button size="small" type="link" danger>
        {t('common.delete')}
      </Button>
    </Popconfirm>
  );
}
