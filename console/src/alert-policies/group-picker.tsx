// Notification Receiver as in ARMS: the Contact Groups list on the left, the Selected Groups on the right;
// clicking a name moves it across. Each name is a button, so the keyboard reaches every one.
import { Button, Empty, Flex } from 'antd';
import type { ContactGroup } from '../api/types';
import { useI18n } from '../i18n/i18n';

const panel: React.CSSProperties = {
  flex: '1 1 180px',
  minHeight: 140,
  border: '1px solid #d9d9d9',
  borderRadius: 6,
  padding: 8,
};

export function GroupPicker({
  id,
  groups,
  value = [],
  onChange,
}: {
  readonly id?: string;
  readonly groups: readonly ContactGroup[];
  readonly value?: readonly string[];
  readonly onChange?: (ids: string[]) => void;
}) {
  const { t } = useI18n();
  const selected = value
    .map((groupId) => groups.find((group) => group.id === groupId) ?? { id: groupId, name: groupId })
    .filter(Boolean);
  const available = groups.filter((group) => !value.includes(group.id));
  const list = (label: string, items: readonly { id: string; name: string }[], act: (id: string) => void) => (
    <section aria-label={label} style={panel}>
      <div style={{ fontWeight: 600, marginBottom: 6 }}>{label}</div>
      <ul role="list" aria-label={label} style={{ listStyle: 'none', margin: 0, padding: 0 }}>
        {items.map((item) => (
          <li key={item.id}>
            <Button
              type="text"
              size="small"
              onClick={() => act(item.id)}
              style={{ width: '100%', justifyContent: 'flex-start' }}
            >
              {item.name}
            </Button>
          </li>
        ))}
      </ul>
    </section>
  );
  if (groups.length === 0 && value.length === 0) {
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('policy.noGroups')} />;
  }
  return (
    <Flex id={id} gap={8} wrap>
      {list(t('policy.contactGroups'), available, (groupId) => onChange?.([...value, groupId]))}
      {list(t('policy.selectedGroups'), selected, (groupId) =>
        onChange?.(value.filter((other) => other !== groupId)),
      )}
    </Flex>
  );
}
