// The answer of the Test button: for each channel, delivered or not, DingTalk's errcode and errmsg, and
// what to fix.
import { Descriptions, Modal, Tag } from 'antd';
import type { ChannelTestResult } from '../api/types';
import { useI18n } from '../i18n/i18n';

export function ContactTestResult({
  name,
  results,
  onClose,
}: {
  readonly name: string;
  readonly results: readonly ChannelTestResult[];
  readonly onClose: () => void;
}) {
  const { t } = useI18n();
  return (
    <Modal open title={t('contacts.testTitle', { name })} onCancel={onClose} onOk={onClose} footer={null}>
      {results.map((result) => (
        <Descriptions key={result.channel} bordered size="small" column={1} style={{ marginBottom: 12 }}>
          <Descriptions.Item label={t('contacts.channel')}>
            {result.channel}{' '}
            <Tag color={result.ok ? 'green' : 'red'}>
              {result.ok ? t('contacts.testOk') : t('contacts.testFailed')}
            </Tag>
          </Descriptions.Item>
          <Descriptions.Item label={t('contacts.target')}>{result.target}</Descriptions.Item>
          {result.errcode !== undefined && (
            <Descriptions.Item label={t('contacts.errcode')}>{result.errcode}</Descriptions.Item>
          )}
          {result.errmsg !== undefined && (
            <Descriptions.Item label={t('contacts.errmsg')}>{result.errmsg}</Descriptions.Item>
          )}
          {result.reason && <Descriptions.Item label={t('contacts.fix')}>{result.reason}</Descriptions.Item>}
        </Descriptions>
      ))}
    </Modal>
  );
}
